using CallServer.Domain.Ports;
using CallServer.Storage.InMemory;

namespace CallServer.Storage.Tests.Users;

public sealed class InMemoryUserDirectoryTests : UserDirectoryContract
{
    protected override IUserDirectory Directory { get; } = new InMemoryUserDirectory();
}
