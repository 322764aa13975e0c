using CallServer.Domain.Ports;
using CallServer.Adapters.Users;

namespace CallServer.Storage.Tests.Users;

public sealed class InMemoryUserDirectoryTests : UserDirectoryContract
{
    protected override IUserDirectory Directory { get; } = new InMemoryUserDirectory();
}
