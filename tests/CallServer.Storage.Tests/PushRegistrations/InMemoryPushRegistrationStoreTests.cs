using CallServer.Adapters.PushRegistrations;
using CallServer.Ports;
using CallServer.Push;

namespace CallServer.Storage.Tests.PushRegistrations;

public sealed class InMemoryPushRegistrationStoreTests : PushRegistrationStoreContract
{
    private readonly InMemoryPushRegistrationStore store = new();

    protected override IPushRegistrationStore Store => store;

    protected override IPushRegistrationStore OtherNode => store;
}
