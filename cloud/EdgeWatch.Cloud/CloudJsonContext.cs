using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeWatch.Cloud.Notify;
using EdgeWatch.Cloud.Storage;

namespace EdgeWatch.Cloud;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Notification))]
[JsonSerializable(typeof(PersonAlert))]
[JsonSerializable(typeof(Site.SiteDocument))]
[JsonSerializable(typeof(Site.GroupDocument))]
[JsonSerializable(typeof(Site.CameraDocument))]
[JsonSerializable(typeof(List<Site.CameraDocument>))]
[JsonSerializable(typeof(List<Api.GroupSummary>))]
[JsonSerializable(typeof(Api.GroupSummary))]
[JsonSerializable(typeof(Api.ImportResult))]
[JsonSerializable(typeof(Api.TokenRequest))]
[JsonSerializable(typeof(Api.TokenIssued))]
[JsonSerializable(typeof(Api.NewAccount))]
[JsonSerializable(typeof(Api.AccountView))]
[JsonSerializable(typeof(Api.NewToken))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Http.HttpValidationProblemDetails))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))]
[JsonSerializable(typeof(IReadOnlyList<UnreachedPerson>))]
[JsonSerializable(typeof(IReadOnlyList<OutboxMessage>))]
[JsonSerializable(typeof(IReadOnlyList<Notify.Sms.ModemStatus>))]
[JsonSerializable(typeof(IReadOnlyCollection<string>))]
[JsonSerializable(typeof(Api.IncidentView))]
[JsonSerializable(typeof(Api.AckResult))]
[JsonSerializable(typeof(Api.NewSilence))]
[JsonSerializable(typeof(Api.PersonalDataExport))]
[JsonSerializable(typeof(Api.ErasureResult))]
[JsonSerializable(typeof(Silence))]
[JsonSerializable(typeof(IReadOnlyList<Silence>))]
[JsonSerializable(typeof(IReadOnlyList<StoredEvent>))]
[JsonSerializable(typeof(IReadOnlyList<RejectedMessage>))]
[JsonSerializable(typeof(IReadOnlyList<GatewayState>))]
internal sealed partial class CloudJsonContext : JsonSerializerContext;
