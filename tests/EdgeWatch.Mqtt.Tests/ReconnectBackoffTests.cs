namespace EdgeWatch.Mqtt.Tests;

public class ReconnectBackoffTests
{
    [Fact]
    public void DelaysStayWithinMinimumAndCap()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), new Random(1));
        for (var i = 0; i < 200; i++)
        {
            Assert.InRange(backoff.Next(), TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public void DelaysGrowTowardsTheCap()
    {
        // Averaged over many clients (fixed seeds): the first retry is quick, the 30th is seconds away.
        var first = new List<double>();
        var thirtieth = new List<double>();
        for (var seed = 0; seed < 1000; seed++)
        {
            var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(60), new Random(seed));
            var delays = Enumerable.Range(0, 30).Select(_ => backoff.Next().TotalSeconds).ToList();
            first.Add(delays[0]);
            thirtieth.Add(delays[29]);
        }

        Assert.True(first.Average() < 0.3, $"first retry averages {first.Average():0.000} s");
        Assert.True(thirtieth.Average() > 1.0, $"30th retry averages {thirtieth.Average():0.000} s");
    }

    [Fact]
    public void ManyClientsDoNotReconnectInLockStep()
    {
        // 5,000 gateways lose the broker at once: their first retries must spread, not coincide.
        var firstRetries = Enumerable.Range(0, 5000)
            .Select(i => new ReconnectBackoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), new Random(i)))
            .Select(b => { b.Next(); return (int)b.Next().TotalMilliseconds / 50; })
            .GroupBy(bucket => bucket)
            .Max(g => g.Count());
        Assert.True(firstRetries < 500, $"{firstRetries} of 5000 clients retried in the same 50 ms window");
    }

    [Fact]
    public void ResetStartsAgainFromTheMinimum()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(60), new Random(3));
        for (var i = 0; i < 20; i++)
        {
            backoff.Next();
        }

        backoff.Reset();
        Assert.True(backoff.Next() <= TimeSpan.FromMilliseconds(300));
    }
}
