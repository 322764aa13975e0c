using CallServer.Domain.Ports;

namespace CallServer.Storage.Tests.Infrastructure;

/// <summary>Field-by-field equality of users (record equality compares the phone number lists by reference).</summary>
public static class UserAssert
{
    public static void Same(UserAccount expected, UserAccount? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Username, actual.Username);
        Assert.Equal(expected.Address, actual.Address);
        Assert.Equal(expected.Address.Kind, actual.Address.Kind);
        Assert.Equal(expected.PasswordHash, actual.PasswordHash);
        Assert.Equal(expected.PhoneNumbers, actual.PhoneNumbers);
        Assert.Equal(expected.CreatedAt, actual.CreatedAt);
        Assert.Equal(expected.CreatedAt.Offset, actual.CreatedAt.Offset);
        Assert.Equal(expected.BusyPolicy, actual.BusyPolicy);
    }
}
