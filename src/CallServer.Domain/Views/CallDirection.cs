namespace CallServer.Domain.Views;

public enum CallDirection
{
    Outgoing,
    Incoming,
}
