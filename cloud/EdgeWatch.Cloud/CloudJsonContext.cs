using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeWatch.Cloud.Notify;
using EdgeWatch.Cloud.Storage;

namespace EdgeWatch.Cloud;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Notification))]
[JsonSerializable(typeof(PersonAlert))]
[JsonSerializable(typeof(IReadOnlyList<UnreachedPerson>))]
[JsonSerializable(typeof(IReadOnlyList<OutboxMessage>))]
[JsonSerializable(typeof(IReadOnlyList<Notify.Sms.ModemStatus>))]
[JsonSerializable(typeof(Api.IncidentDelivery))]
[JsonSerializable(typeof(IReadOnlyList<StoredEvent>))]
[JsonSerializable(typeof(IReadOnlyList<RejectedMessage>))]
[JsonSerializable(typeof(IReadOnlyList<GatewayState>))]
internal sealed partial class CloudJsonContext : JsonSerializerContext;
