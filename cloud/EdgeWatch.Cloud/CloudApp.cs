using EdgeWatch.Cloud.Api;
using EdgeWatch.Cloud.Broker;
using EdgeWatch.Cloud.Ingest;
using EdgeWatch.Cloud.Notify;
using EdgeWatch.Cloud.Site;
using EdgeWatch.Cloud.Storage;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Cloud;

/// <summary>Builds the aggregator: options, store, broker, ingest, notifier and the HTTP API.</summary>
public static class CloudApp
{
    /// <summary>The aggregator's configuration sources, in order: its JSON files, <c>EDGEWATCH_</c> variables, the command line.</summary>
    public static IConfigurationBuilder AddConfiguration(IConfigurationBuilder configuration, string[] args) =>
        configuration
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "edgewatch-cloud.json"), optional: true)
            .AddJsonFile("/etc/edgewatch/cloud.json", optional: true)
            .AddEnvironmentVariables("EDGEWATCH_")
            .AddCommandLine(args);

    public static WebApplication Build(string[] args, IDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (settings is not null)
        {
            // In-process aggregators (demo, tests, benchmarks) are configured entirely by their settings (and args).
            builder.Configuration.Sources.Clear();
            builder.Configuration.AddInMemoryCollection(settings).AddCommandLine(args);
        }
        else
        {
            builder.Configuration.Sources.Clear();
            AddConfiguration(builder.Configuration, args);
        }

        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, CloudJsonContext.Default);
            o.SerializerOptions.TypeInfoResolverChain.Insert(1, EdgeWatch.Protocol.ProtocolJsonContext.Default);
        });
        AddServices(builder.Services);
        configure?.Invoke(builder);
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapEdgeWatchApi();
        app.MapAccountsApi();
        app.MapRegistryApi();
        app.MapCamerasApi();
        app.MapIncidentsApi();
        app.MapSilencesApi();
        app.MapPersonalDataApi();
        app.MapHealthChecks("/healthz");
        return app;
    }

    public static IServiceCollection AddServices(IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
        var validator = new CloudOptionsValidator();
        services.AddOptions<BrokerOptions>().BindConfiguration(BrokerOptions.Section).ValidateOnStart();
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateOnStart();
        services.AddOptions<SiteOptions>().BindConfiguration(SiteOptions.Section).ValidateOnStart();
        services.AddOptions<NotifyOptions>().BindConfiguration(NotifyOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BrokerOptions>>(validator);
        services.AddSingleton<IValidateOptions<StorageOptions>>(validator);
        services.AddSingleton<IValidateOptions<SiteOptions>>(validator);
        services.AddSingleton<IValidateOptions<NotifyOptions>>(validator);
        services.AddOptions<Notify.Zns.ZnsOptions>().BindConfiguration(Notify.Zns.ZnsOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<Notify.Zns.ZnsOptions>, Notify.Zns.ZnsOptionsValidator>();
        services.AddOptions<Notify.Sms.ModemOptions>().BindConfiguration(Notify.Sms.ModemOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<Notify.Sms.ModemOptions>, Notify.Sms.ModemOptionsValidator>();
        services.AddOptions<Notify.Email.SmtpOptions>().BindConfiguration(Notify.Email.SmtpOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<Notify.Email.SmtpOptions>, Notify.Email.SmtpOptionsValidator>();

        services.AddSingleton(sp => new EventStore(sp.GetRequiredService<IOptions<StorageOptions>>().Value.ConnectionString));
        services.AddSingleton<INotificationOutbox>(sp => sp.GetRequiredService<EventStore>());
        services.AddSingleton<IZnsTokenStore>(sp => sp.GetRequiredService<EventStore>());
        services.AddSingleton<IRegistryStore>(sp => sp.GetRequiredService<EventStore>());
        services.AddSingleton<ISnapshotStore>(sp => sp.GetRequiredService<EventStore>());

        // The API: bearer tokens (or X-Api-Key), roles, and the first admin from Auth:AdminToken.
        services.AddOptions<Auth.AuthOptions>().BindConfiguration(Auth.AuthOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<Auth.AuthOptions>, Auth.AuthOptionsValidator>();
        services.AddAuthentication(Auth.TokenAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, Auth.TokenAuthenticationHandler>(Auth.TokenAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Auth.Roles.ReadRegistry, p => p.RequireRole(Auth.Roles.All))
            .AddPolicy(Auth.Roles.ManageSite, p => p.RequireRole(Auth.Roles.Admin))
            .AddPolicy(Auth.Roles.ConfigureGateways, p => p.RequireRole(Auth.Roles.Admin, Auth.Roles.Technician));
        services.AddProblemDetails();
        services.AddHostedService<Auth.AdminBootstrap>();
        services.AddSingleton<SiteRegistry>();
        // HTTP channels retry a transient failure within the attempt (Polly); the outbox's row keeps the longer,
        // durable backoff. Zalo's token refresh is never retried blindly: its refresh token is single-use.
        services.AddHttpClient(WebhookNotifier.ChannelName).AddResilienceHandler(WebhookNotifier.ChannelName, HttpChannelResilience.Configure);
        services.AddHttpClient(Notify.Zns.ZnsChannel.ChannelName).AddResilienceHandler(Notify.Zns.ZnsChannel.ChannelName, HttpChannelResilience.Configure);
        services.AddHttpClient(Notify.Zns.ZnsChannel.OAuthClientName);

        services.AddSingleton<EmbeddedBroker>();
        services.AddHostedService(sp => sp.GetRequiredService<EmbeddedBroker>());
        // Notifications: the channels, the outbox worker that runs each on its own loop, and what a fire sends.
        services.AddSingleton<WebhookNotifier>();
        services.AddSingleton<Notify.Zns.ZnsChannel>();
        services.AddSingleton<INotificationChannel>(sp => sp.GetRequiredService<WebhookNotifier>());
        services.AddSingleton<INotificationChannel>(sp => sp.GetRequiredService<Notify.Zns.ZnsChannel>());
        services.AddSingleton<Notify.Sms.ModemPool>();
        services.AddHostedService(sp => sp.GetRequiredService<Notify.Sms.ModemPool>());
        services.AddSingleton<INotificationChannel, Notify.Sms.SmsChannel>();
        services.AddSingleton<INotificationChannel, Notify.Sms.CallChannel>();
        services.AddSingleton<Notify.Email.SmtpChannel>();
        services.AddSingleton<INotificationChannel>(sp => sp.GetRequiredService<Notify.Email.SmtpChannel>());
        services.AddSingleton<PersonAlerts>();
        services.AddSingleton<AckLinks>();
        services.AddHostedService(sp => sp.GetRequiredService<AckLinks>());

        // Incidents: escalation and reminders, and acknowledgement (API, signed link, SMS reply).
        services.AddSingleton<IIncidentStore>(sp => sp.GetRequiredService<EventStore>());
        services.AddSingleton<Incidents.IncidentEscalator>();
        services.AddHostedService(sp => sp.GetRequiredService<Incidents.IncidentEscalator>());
        services.AddSingleton<Incidents.GatewayWatch>();
        services.AddHostedService(sp => sp.GetRequiredService<Incidents.GatewayWatch>());
        services.AddSingleton<Incidents.TroubleIncidents>();
        services.AddSingleton<Incidents.MotionIncidents>();
        services.AddSingleton<Incidents.ChannelWatch>();
        services.AddHostedService(sp => sp.GetRequiredService<Incidents.ChannelWatch>());
        services.AddSingleton<Incidents.DailySelfTest>();
        services.AddHealthChecks()
            .AddCheck<Api.IngestHealthCheck>("ingest")
            .AddCheck<Api.DatabaseHealthCheck>("database")
            .AddCheck<Api.ChannelsHealthCheck>("channels");
        services.AddHostedService(sp => sp.GetRequiredService<Incidents.DailySelfTest>());
        services.AddSingleton<ISilenceStore>(sp => sp.GetRequiredService<EventStore>());
        services.AddOptions<Retention.RetentionOptions>().BindConfiguration(Retention.RetentionOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<Retention.RetentionOptions>, Retention.RetentionOptionsValidator>();
        services.AddSingleton<IRetentionStore>(sp => sp.GetRequiredService<EventStore>());
        services.AddSingleton<IPersonalDataStore>(sp => sp.GetRequiredService<EventStore>());
        services.AddSingleton<Retention.RetentionService>();
        services.AddHostedService(sp => sp.GetRequiredService<Retention.RetentionService>());
        services.AddSingleton<Incidents.Silences>();
        services.AddSingleton<Incidents.Acknowledgements>();
        services.AddHostedService(sp => sp.GetRequiredService<Incidents.Acknowledgements>());
        services.AddSingleton<OutboxWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxWorker>());
        services.AddSingleton<FireNotifications>();
        services.AddSingleton<Broker.CertificateSigner>();
        services.AddSingleton<MqttIngest>();
        services.AddHostedService(sp => sp.GetRequiredService<MqttIngest>());
        return services;
    }
}
