using System.Device.I2c;
using EdgeWatch.Hardware.Channels;
using EdgeWatch.Hardware.Profiles;
using Iot.Device.Ads1115;

namespace EdgeWatch.Hardware.Ads1115;

/// <summary>One ADS1115 reading up to four supervised loops single-ended, in single-shot mode. Owns the binding and its I2C device.</summary>
internal sealed class Ads1115Adc : IDisposable
{
    private static readonly InputMultiplexer[] SingleEnded = [InputMultiplexer.AIN0, InputMultiplexer.AIN1, InputMultiplexer.AIN2, InputMultiplexer.AIN3];
    private readonly Iot.Device.Ads1115.Ads1115 _adc;
    private readonly I2cDevice _device;
    private readonly Lock _gate = new();

    public Ads1115Adc(AdcSpec spec, I2cDevice device)
    {
        Spec = spec;
        _device = device;
        _adc = new Iot.Device.Ads1115.Ads1115(device, InputMultiplexer.AIN0, MeasuringRange.FS4096, DataRate.SPS860, DeviceMode.PowerDown);
    }

    public AdcSpec Spec { get; }

    public ISupervisedLoop AddLoop(ChannelSpec channel, int adcChannel, LoopBands bands) => new SupervisedLoop(channel, this, adcChannel, bands);

    internal double ReadVolts(int channel)
    {
        lock (_gate)
        {
            return _adc.ReadVoltage(SingleEnded[channel]).Volts;
        }
    }

    public void Dispose()
    {
        _adc.Dispose();
        _device.Dispose();
    }

    private sealed class SupervisedLoop(ChannelSpec spec, Ads1115Adc adc, int channel, LoopBands bands) : ISupervisedLoop
    {
        public ChannelSpec Spec { get; } = spec;

        public LoopReading Read()
        {
            try
            {
                var volts = adc.ReadVolts(channel);
                return new LoopReading(bands.Classify(volts), volts, null);
            }
            catch (Exception ex) when (ex is IOException or TimeoutException or InvalidOperationException)
            {
                return new LoopReading(LoopState.OpenCircuit, double.NaN, $"ADC {adc.Spec.Id} read failed: {ex.Message}");
            }
        }
    }
}
