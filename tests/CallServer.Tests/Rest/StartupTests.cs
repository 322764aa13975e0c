using CallServer.Tests.Infrastructure;

namespace CallServer.Tests.Rest;

/// <summary>Start-up configuration checks.</summary>
public sealed class StartupTests
{
    [Fact]
    public void Production_without_a_signing_key_fails_to_start_naming_Jwt_SigningKey()
    {
        CallServerFixture.QuietLogs();
        using var factory = new CallServerFactory("Production", new Dictionary<string, string?>
        {
            ["Admin:ApiKey"] = CallServerFixture.AdminKey,
        });

        var error = Record.Exception(() => factory.StartServer());

        Assert.NotNull(error);
        var messages = string.Join(" | ", Flatten(error));
        Assert.Contains("Jwt:SigningKey", messages, StringComparison.Ordinal);
    }

    [Fact]
    public void A_signing_key_shorter_than_32_bytes_fails_to_start()
    {
        CallServerFixture.QuietLogs();
        using var factory = new CallServerFactory("Production", new Dictionary<string, string?>
        {
            ["Jwt:SigningKey"] = "too-short",
        });

        var error = Record.Exception(() => factory.StartServer());

        Assert.NotNull(error);
        Assert.Contains("Jwt:SigningKey", string.Join(" | ", Flatten(error)), StringComparison.Ordinal);
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
