using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using EdgeWatch.Gateway.Cameras;
using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Gateway.Motion;
using EdgeWatch.Gateway.Remote;
using EdgeWatch.Gateway.Simulation;
using EdgeWatch.Gateway.Uplink;
using EdgeWatch.Hardware;
using EdgeWatch.Hardware.Ds18b20;
using EdgeWatch.Hardware.Profiles;
using EdgeWatch.Hardware.Simulation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Gateway.Hosting;

public static class GatewayServiceCollectionExtensions
{
    /// <summary>
    /// Registers the gateway: validated options, the GPIO controller over the configured driver, the board, the
    /// fire-safety engine (started first) and the MQTT uplink. The container owns the controller, the board and the buses.
    /// </summary>
    public static IServiceCollection AddEdgeWatchGateway(this IServiceCollection services)
    {
        services.TryAddSingletonTimeProvider();
        services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section).ValidateOnStart();
        services.AddOptions<HardwareOptions>().BindConfiguration(HardwareOptions.Section).ValidateOnStart();
        services.AddOptions<FireSafetyOptions>().BindConfiguration(FireSafetyOptions.Section).ValidateOnStart();
        services.AddOptions<MqttOptions>().BindConfiguration(MqttOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>();
        services.AddSingleton<IValidateOptions<HardwareOptions>, HardwareOptionsValidator>();
        services.AddSingleton<IValidateOptions<FireSafetyOptions>, FireSafetyOptionsValidator>();
        services.AddSingleton<IValidateOptions<MqttOptions>, MqttOptionsValidator>();
        services.AddOptions<UplinkOptions>().BindConfiguration(UplinkOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<UplinkOptions>, UplinkOptionsValidator>();

        services.AddSingleton(sp => BoardProfiles.Load(sp.GetRequiredService<IOptions<HardwareOptions>>().Value.Profile));
        services.AddSingleton(sp => IsSimulated(sp)
            ? new SimulatedBoard(sp.GetRequiredService<BoardProfile>(), sp.GetRequiredService<TimeProvider>())
            : throw new InvalidOperationException("Hardware:Driver is not 'simulated'; there is no simulated board"));
        services.AddSingleton(sp => IsSimulated(sp)
            ? new GpioController(sp.GetRequiredService<SimulatedBoard>().Driver)
            : new GpioController(new LibGpiodDriver(sp.GetRequiredService<IOptions<HardwareOptions>>().Value.GpioChip)));
        services.AddSingleton<II2cBusProvider>(sp => IsSimulated(sp) ? sp.GetRequiredService<SimulatedBoard>().I2c : new KernelI2cBusProvider());
        services.AddSingleton<IOneWireProbeFactory>(sp => IsSimulated(sp) ? sp.GetRequiredService<SimulatedBoard>() : new KernelOneWireProbeFactory());
        services.AddSingleton(sp => Board.Open(
            sp.GetRequiredService<BoardProfile>(),
            sp.GetRequiredService<GpioController>(),
            sp.GetRequiredService<II2cBusProvider>(),
            sp.GetRequiredService<IOneWireProbeFactory>()));

        services.AddSingleton<IClockSync, PlausibleClock>();
        services.AddSingleton(sp => new EventStamper(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IClockSync>()));
        services.AddSingleton(sp => OutboxOpener.Open(
            Path.Combine(StateDirectory(sp), "outbox.db"),
            sp.GetRequiredService<IOptions<UplinkOptions>>().Value.OutboxBudgetBytes,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OutboxOpener))));
        services.AddSingleton(sp => sp.GetRequiredService<OpenedOutbox>().Outbox);
        services.AddSingleton(sp => sp.GetRequiredService<OpenedOutbox>().Health);
        services.AddSingleton(sp => new SequenceFloor(Path.Combine(StateDirectory(sp), "seq-floor")));
        services.AddSingleton(sp =>
        {
            var g = sp.GetRequiredService<IOptions<GatewayOptions>>().Value;
            var stamper = sp.GetRequiredService<EventStamper>();
            var floor = sp.GetRequiredService<SequenceFloor>();

            // Sequence numbers survive restarts, and a lost outbox: continue after both the outbox and the floor file.
            stamper.ContinueAfter(Math.Max(sp.GetRequiredService<Outbox>().LastSeq, floor.Read()));
            floor.Start(stamper.LastSeq);
            stamper.Issued = floor.Issued;
            return new FireEventFactory(new GatewayIdentity(g.Site, g.Id, g.Group), stamper);
        });
        services.AddSingleton(sp => new DurableEventWriter(new OutboxSink(sp.GetRequiredService<Outbox>()), sp.GetRequiredService<ILogger<DurableEventWriter>>()));
        services.AddSingleton<IFireEventSink>(sp => sp.GetRequiredService<DurableEventWriter>());
        services.AddSingleton(sp => new AlarmLatchFile(Path.Combine(StateDirectory(sp), "alarm-latch.json"), sp.GetRequiredService<ILoggerFactory>().CreateLogger<AlarmLatchFile>()));
        services.AddSingleton(sp =>
        {
            // The alarm path gets its own timer thread, unless a test injected its own clock.
            var time = sp.GetRequiredService<TimeProvider>();
            var alarmClock = ReferenceEquals(time, TimeProvider.System) ? FireSafetyClock.Shared : time;
            return new FireSafetyEngine(
                sp.GetRequiredService<Board>(),
                sp.GetRequiredService<IOptions<FireSafetyOptions>>().Value,
                sp.GetRequiredService<FireEventFactory>(),
                sp.GetRequiredService<IFireEventSink>(),
                time,
                sp.GetRequiredService<ILogger<FireSafetyEngine>>(),
                alarmClock,
                sp.GetRequiredService<AlarmLatchFile>());
        });

        services.AddSingleton(sp => new ArmingState(StateDirectory(sp)));
        services.AddSingleton(sp => new RemoteConfiguration(
            sp.GetRequiredService<FireSafetyEngine>(),
            StateDirectory(sp),
            sp.GetRequiredService<IOptions<GatewayOptions>>().Value.Id,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<RemoteConfiguration>>()));
        services.AddSingleton<CommandHandler>();
        services.AddSingleton<StorageFaults>();
        services.AddSingleton<LowerLaneWriter>();
        services.AddSingleton<MotionPublisher>();
        services.AddOptions<SimulationOptions>().BindConfiguration(SimulationOptions.Section);

        // Fire safety starts before anything that talks to the network.
        services.AddHostedService<FireSafetyService>();
        services.AddSingleton<CertificateRenewal>();
        services.AddSingleton<MqttUplink>();
        services.AddHostedService(sp => sp.GetRequiredService<MqttUplink>());
        services.AddHostedService<CertificateRenewalService>();
        services.AddSingleton<HeartbeatService>();
        services.AddHostedService(sp => sp.GetRequiredService<HeartbeatService>());
        services.AddMetrics();
        services.AddSingleton<UplinkMetrics>();
        services.AddHealthChecks().AddCheck<UplinkHealthCheck>("uplink").AddCheck<FirePathHealthCheck>("fire-path");
        services.TryAddSingleton<Microsoft.Extensions.Hosting.Systemd.ISystemdNotifier, Microsoft.Extensions.Hosting.Systemd.SystemdNotifier>();
        services.AddHostedService<WatchdogService>();
        services.AddHostedService<ReadyNotice>();
        services.AddOptions<SirenTestScheduleOptions>().BindConfiguration(SirenTestScheduleOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SirenTestScheduleOptions>, SirenTestScheduleOptionsValidator>();
        services.AddSingleton<SirenTestScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<SirenTestScheduler>());
        services.AddHostedService<SimulatedActivity>();
        services.AddOptions<CamerasOptions>().Configure<Microsoft.Extensions.Configuration.IConfiguration>((o, c) =>
            Microsoft.Extensions.Configuration.ConfigurationBinder.Bind(c.GetSection(CamerasOptions.Section), o.Items)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CamerasOptions>, CamerasOptionsValidator>();
        services.AddOptions<CameraProcessOptions>().BindConfiguration(CameraProcessOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CameraProcessOptions>, CameraProcessOptionsValidator>();
        services.AddSingleton<CameraEvents>();
        services.AddSingleton<CameraProcessSupervisor>();
        services.AddHostedService(sp => sp.GetRequiredService<CameraProcessSupervisor>());
        return services;
    }

    private static string StateDirectory(IServiceProvider sp)
    {
        var dir = sp.GetRequiredService<IOptions<UplinkOptions>>().Value.ResolvedStateDirectory(sp.GetRequiredService<IOptions<GatewayOptions>>().Value.Id);
        try
        {
            Directory.CreateDirectory(dir);
            return dir;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{UplinkOptions.Section}:StateDirectory '{dir}' cannot be created: {ex.Message}", ex);
        }
    }

    private static bool IsSimulated(IServiceProvider sp) => sp.GetRequiredService<IOptions<HardwareOptions>>().Value.Driver == "simulated";

    private static void TryAddSingletonTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}

/// <summary>Opens the board and starts the fire-safety engine at host start; stops it (sirens off) at host stop.</summary>

