using Npgsql;
using Roadmap.Api.Infrastructure;
using Roadmap.Api.Integrations.Subscriptions;
using Roadmap.EventStore;

using Roadmap.EventStore.Projections;

namespace Roadmap.Api.Integrations.Webhooks;

public static class WebhookSetup
{
    /// <summary>
    /// Subscriptions (inline index), the dispatcher projection (async, "webhook_outbox"), the sender and its HTTP
    /// client: no redirects, no proxy, every connection checked against the address rules (configuration section
    /// Roadmap:Webhooks, see <see cref="WebhookOptions"/>).
    /// </summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(WebhookOptions.Section).Get<WebhookOptions>() ?? new WebhookOptions();
        options.Validate();
        services.AddSingleton(options);
        services.AddProjection(new SubscriptionIndex(), ProjectionLifecycle.Inline);
        services.AddSingleton(sp => new ProjectionRegistration(
            new WebhookOutbox(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<EventStoreOptions>().Schema), ProjectionLifecycle.Async));
        services.AddHttpClient(WebhookSender.HttpClientName, client =>
            {
                client.Timeout = Timeout.InfiniteTimeSpan; // each attempt has its own timeout (AttemptTimeout)
                client.DefaultRequestHeaders.UserAgent.ParseAdd("Roadmap-Webhooks/1.0");
            })
            .RemoveAllLoggers() // four log lines per delivery otherwise; the delivery log (webhook_attempts) records each attempt
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseProxy = false,
                UseCookies = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                ConnectTimeout = options.AttemptTimeout,
                ConnectCallback = (context, cancellationToken) => WebhookTargets.ConnectAsync(context, options, cancellationToken),
            });
        services.AddSingleton<WebhookSecretCipher>();
        // Before the sender, after the migrations (registered earlier): the secrets decrypt, all under the current key.
        services.AddHostedService<WebhookSecretsAtRest>();
        services.AddSingleton<WebhookSender>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookSender>());
        return services;
    }
}
