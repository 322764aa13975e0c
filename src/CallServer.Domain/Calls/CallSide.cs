namespace CallServer.Domain.Calls;

public enum CallSide
{
    Caller,
    Callee,
}

public static class CallSideExtensions
{
    public static CallSide Other(this CallSide side) => side == CallSide.Caller ? CallSide.Callee : CallSide.Caller;
}
