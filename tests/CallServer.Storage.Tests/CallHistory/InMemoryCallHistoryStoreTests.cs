using CallServer.Adapters.CallHistory;
using CallServer.History;
using CallServer.Ports;

namespace CallServer.Storage.Tests.CallHistory;

public sealed class InMemoryCallHistoryStoreTests : CallHistoryStoreContract
{
    private readonly InMemoryCallHistoryStore store = new();

    protected override ICallHistoryStore Store => store;

    protected override ICallHistoryStore OtherNode => store;
}
