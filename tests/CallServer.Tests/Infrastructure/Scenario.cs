namespace CallServer.Tests.Infrastructure;

/// <summary>A caller and a callee, each with one connected device, and the call between them.</summary>
public sealed class TwoParties : IAsyncDisposable
{
    public required TestUser CallerUser { get; init; }

    public required TestUser CalleeUser { get; init; }

    public required HubTestClient Caller { get; init; }

    public required HubTestClient Callee { get; init; }

    public string CallId { get; set; } = string.Empty;

    public string Offer { get; set; } = string.Empty;

    public async ValueTask DisposeAsync()
    {
        await Caller.DisposeAsync();
        await Callee.DisposeAsync();
    }
}

/// <summary>A caller and a callee with two devices (phone and laptop), both ringing for the call.</summary>
public sealed class TwoDevicesRinging : IAsyncDisposable
{
    public required TestUser CallerUser { get; init; }

    public required TestUser CalleeUser { get; init; }

    public required HubTestClient Caller { get; init; }

    public required HubTestClient Phone { get; init; }

    public required HubTestClient Laptop { get; init; }

    public required CallView Call { get; init; }

    public void Deconstruct(out TestUser callerUser, out TestUser calleeUser, out HubTestClient caller, out HubTestClient phone, out HubTestClient laptop, out CallView call) =>
        (callerUser, calleeUser, caller, phone, laptop, call) = (CallerUser, CalleeUser, Caller, Phone, Laptop, Call);

    public async ValueTask DisposeAsync()
    {
        await Caller.DisposeAsync();
        await Phone.DisposeAsync();
        await Laptop.DisposeAsync();
    }
}

/// <summary>Brings calls to the state a test starts from, through the hub like any client.</summary>
public static class Scenario
{
    /// <summary>Two users, each connected once.</summary>
    public static async Task<TwoParties> ConnectedAsync(CallServerFixture server)
    {
        var users = await Task.WhenAll(server.CreateUserAsync("caller"), server.CreateUserAsync("callee"));
        var clients = await Task.WhenAll(server.ConnectAsync(users[0]), server.ConnectAsync(users[1]));
        return new TwoParties { CallerUser = users[0], CalleeUser = users[1], Caller = clients[0], Callee = clients[1] };
    }

    /// <summary>A call that rings on the callee's device (IncomingCall consumed; the caller saw Ringing).</summary>
    public static async Task<TwoParties> RingingAsync(CallServerFixture server, string? offer = null)
    {
        var parties = await ConnectedAsync(server);
        parties.Offer = offer ?? Sdp.Audio();
        var created = await parties.Caller.CreateCallAsync(parties.CalleeUser.Address);
        parties.CallId = created.CallId;
        await parties.Caller.InvokeAsync("EstablishCall", created.CallId, parties.Offer);
        await parties.Callee.WaitForIncomingCallAsync(created.CallId);
        await parties.Caller.WaitForStateAsync(created.CallId, "Ringing");
        return parties;
    }

    /// <summary>An audio call established to a callee with two devices; both got IncomingCall (the caller's states are left to the test).</summary>
    public static async Task<TwoDevicesRinging> RingingOnTwoDevicesAsync(CallServerFixture server)
    {
        var callerUser = await server.CreateUserAsync("caller");
        var calleeUser = await server.CreateUserAsync("callee");
        var caller = await server.ConnectAsync(callerUser);
        var phone = await server.ConnectAsync(calleeUser, "phone");
        var laptop = await server.ConnectAsync(calleeUser, "laptop");
        var call = await caller.CreateCallAsync(calleeUser.Address);
        await caller.InvokeAsync("EstablishCall", call.CallId, Sdp.Audio());
        await phone.WaitForIncomingCallAsync(call.CallId);
        await laptop.WaitForIncomingCallAsync(call.CallId);
        return new TwoDevicesRinging { CallerUser = callerUser, CalleeUser = calleeUser, Caller = caller, Phone = phone, Laptop = laptop, Call = call };
    }

    /// <summary>A call in progress: both sides saw InCall.</summary>
    public static async Task<TwoParties> InCallAsync(CallServerFixture server, string? offer = null, string? answer = null)
    {
        var parties = await RingingAsync(server, offer);
        await parties.Callee.InvokeAsync("AcceptCall", parties.CallId, answer ?? Sdp.Audio());
        await parties.Caller.WaitForStateAsync(parties.CallId, "InCall");
        await parties.Callee.WaitForStateAsync(parties.CallId, "InCall");
        return parties;
    }

    /// <summary>Runs a hold/unhold/video operation from <paramref name="initiator"/> that <paramref name="answerer"/> accepts.</summary>
    public static async Task<OperationCompleted> RenegotiateAsync(HubTestClient initiator, HubTestClient answerer, string callId, string operation, string offer, string answer)
    {
        var operationId = await initiator.InvokeAsync<string>(operation, callId, offer);
        var request = await answerer.WaitForRenegotiationAsync(callId, operationId);
        Assert.Equal(operation, request.Operation);
        Assert.Equal(offer, request.SdpOffer);
        await answerer.InvokeAsync("AnswerRenegotiation", callId, operationId, answer);
        var completed = await initiator.WaitForCompletionAsync(callId, operationId);
        Assert.True(completed.Succeeded, completed.Error);
        Assert.Equal(operation, completed.Operation);
        Assert.Equal(answer, completed.SdpAnswer);
        return completed;
    }
}
