using CallServer.Domain.Ports;
using CallServer.Adapters.Presence;

namespace CallServer.Storage.Tests.Presence;

public sealed class InMemoryPresenceTests : PresenceContract
{
    protected override IPresence Presence { get; } = new InMemoryPresence();
}
