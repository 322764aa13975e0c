namespace CallServer.Adapters.Presence;

/// <summary>A device and its account as one member of a node's device set.</summary>
public static class NodeDevice
{
    private const char Separator = ' ';

    public static string Format(string deviceId, string account) => deviceId + Separator + account;

    public static (string DeviceId, string Account) Parse(string member)
    {
        var at = member.IndexOf(Separator, StringComparison.Ordinal);
        return (member[..at], member[(at + 1)..]);
    }
}
