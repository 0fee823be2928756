using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace EdgeWatch.Protocol.Tests;

/// <summary>protocol/asyncapi.yaml is the protocol's documentation: it must cover every topic and its examples must parse.</summary>
public partial class AsyncApiDocumentTests
{
    private static string Document()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EdgeWatch.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return File.ReadAllText(Path.Combine(dir!.FullName, "protocol", "asyncapi.yaml"));
    }

    [GeneratedRegex(@"^\s+address: (edgewatch/v1/\{site\}/\{gateway\}/\S+)$", RegexOptions.Multiline)]
    private static partial Regex Address();

    [GeneratedRegex(@"^    (\w+):\n(?:      .*\n)*?      examples:\n((?:        .*\n)+)", RegexOptions.Multiline)]
    private static partial Regex MessageWithExamples();

    [GeneratedRegex(@"payload: (\{.*\})$", RegexOptions.Multiline)]
    private static partial Regex ExamplePayload();

    [Fact]
    public void IsAnAsyncApi3Document() => Assert.StartsWith("asyncapi: 3.0.0", Document(), StringComparison.Ordinal);

    [Fact]
    public void EveryTopicHasAChannel()
    {
        var addresses = Address().Matches(Document()).Select(m => m.Groups[1].Value).ToHashSet();
        var topics = typeof(Topics).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.ReturnType == typeof(string) && m.Name != nameof(Topics.CommandFilter))
            .Select(m =>
            {
                var args = m.GetParameters().Select(p => p.ParameterType == typeof(Guid) ? (object)"{eventId}" : p.Name switch
                {
                    "site" => "{site}",
                    "gateway" => "{gateway}",
                    _ => "{" + p.Name + "}",
                }).ToArray();
                return m.GetParameters().Any(p => p.ParameterType == typeof(Guid))
                    ? $"edgewatch/v1/{{site}}/{{gateway}}/snapshot/{{eventId}}"
                    : (string)m.Invoke(null, args)!;
            })
            .ToList();
        Assert.NotEmpty(topics);
        Assert.All(topics, t => Assert.Contains(t, addresses));
    }

    [Fact]
    public void EveryExamplePayloadParses()
    {
        var parsers = new Dictionary<string, Action<byte[]>>
        {
            ["status"] = b => ProtocolJson.DeserializeStatus(b),
            ["heartbeat"] = b => ProtocolJson.DeserializeHeartbeat(b),
            ["fireEvent"] = b => Assert.True(ProtocolJson.DeserializeFireEvent(b).IsFireLane),
            ["troubleEvent"] = b => Assert.False(ProtocolJson.DeserializeFireEvent(b).IsFireLane),
            ["motionEvent"] = b => ProtocolJson.DeserializeMotion(b),
            ["command"] = b => ProtocolJson.DeserializeCommand(b),
            ["commandResponse"] = b => Assert.NotNull(System.Text.Json.JsonSerializer.Deserialize(b, ProtocolJsonContext.Default.CommandResponse)),
            ["desiredConfig"] = b => ProtocolJson.DeserializeDesiredConfig(b),
            ["reportedConfig"] = b => ProtocolJson.DeserializeReportedConfig(b),
            ["ack"] = b => Assert.NotEmpty(ProtocolJson.DeserializeAck(b).Seqs),
            ["selftestReport"] = b => Assert.NotEmpty(ProtocolJson.DeserializeSelftest(b).Checks),
            ["certificateAnswer"] = b => Assert.NotNull(ProtocolJson.DeserializeRenewalAnswer(b).Error),
        };
        var seen = new HashSet<string>();
        foreach (Match message in MessageWithExamples().Matches(Document()))
        {
            var name = message.Groups[1].Value;
            Assert.True(parsers.ContainsKey(name), $"no parser for the examples of message '{name}'");
            foreach (Match payload in ExamplePayload().Matches(message.Groups[2].Value))
            {
                parsers[name](Encoding.UTF8.GetBytes(payload.Groups[1].Value));
                seen.Add(name);
            }
        }

        Assert.Equal(parsers.Keys.Order(), seen.Order());
    }
}
