using CallServer.Domain.Ports;
using CallServer.Storage.InMemory;

namespace CallServer.Storage.Tests.Presence;

public sealed class InMemoryPresenceTests : PresenceContract
{
    protected override IPresence Presence { get; } = new InMemoryPresence();
}
