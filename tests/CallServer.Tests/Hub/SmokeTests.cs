using CallServer.Tests.Infrastructure;

namespace CallServer.Tests.Hub;

public sealed class SmokeTests(CallServerFixture server) : IClassFixture<CallServerFixture>
{
    [Fact]
    public async Task Smoke()
    {
        Assert.Equal("127.0.0.1", server.ServerAddress.Host);
        await using var parties = await Scenario.InCallAsync(server);
        var error = await CallEvents.AssertRefusedAsync("CallNotFound", () => parties.Caller.InvokeAsync("GetCall", "nope"));
        Console.WriteLine(error.Message);
    }
}
