using CallServer.Tests.Infrastructure;

namespace CallServer.Tests.Webhooks;

/// <summary>Webhook settings that cannot work stop the server at start, naming the key and never the secret.</summary>
public sealed class WebhooksStartupTests
{
    [Fact]
    public void An_endpoint_URL_that_is_not_absolute_http_fails_the_start_naming_the_key()
    {
        var messages = StartFailure(new() { ["Webhooks:Endpoints:0:Url"] = "/hooks", ["Webhooks:Endpoints:0:Secret"] = WebhookReceiver.NewSecret() });
        Assert.Contains("Webhooks:Endpoints:0:Url", messages, StringComparison.Ordinal);
    }

    [Fact]
    public void A_secret_without_the_whsec_prefix_fails_the_start_naming_the_key_and_never_showing_the_secret()
    {
        var secret = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var messages = StartFailure(new() { ["Webhooks:Endpoints:0:Url"] = "https://example.com/hooks", ["Webhooks:Endpoints:0:Secret"] = secret });
        Assert.Contains("Webhooks:Endpoints:0:Secret", messages, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, messages, StringComparison.Ordinal);
    }

    [Fact]
    public void A_secret_that_is_not_base64_and_an_unknown_event_type_fail_the_start_naming_both_keys()
    {
        var secret = "whsec_not*base64!";
        var messages = StartFailure(new()
        {
            ["Webhooks:Endpoints:0:Url"] = "https://example.com/hooks",
            ["Webhooks:Endpoints:0:Secret"] = secret,
            ["Webhooks:Endpoints:0:Events:0"] = "call.exploded",
        });
        Assert.Contains("Webhooks:Endpoints:0:Secret", messages, StringComparison.Ordinal);
        Assert.Contains("Webhooks:Endpoints:0:Events:0", messages, StringComparison.Ordinal);
        Assert.DoesNotContain("not*base64", messages, StringComparison.Ordinal);
    }

    private static string StartFailure(Dictionary<string, string?> webhooks)
    {
        CallServerFixture.QuietLogs();
        var settings = new Dictionary<string, string?>(webhooks)
        {
            ["Jwt:SigningKey"] = CallServerFixture.SigningKey,
            ["Admin:ApiKey"] = CallServerFixture.AdminKey,
        };
        using var factory = new CallServerFactory("Testing", settings);
        var error = Record.Exception(() => factory.StartServer());
        Assert.NotNull(error);
        return string.Join(" | ", Flatten(error));
    }

    private static IEnumerable<string> Flatten(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            yield return e.Message;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }
            }
        }
    }
}
