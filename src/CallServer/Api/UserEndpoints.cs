using CallServer.Application;
using CallServer.Domain.Errors;
using CallServer.Domain.Ports;
using CallServer.Ports;
using CallServer.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CallServer.Api;

public static class UserEndpoints
{
    public static void MapUserEndpoints(this RouteGroupBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("Users")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        users.MapGet("/", List).WithName("ListUsers").WithSummary("Lists the registered users (admin key).");
        users.MapGet("/{username}", Get).WithName("GetUser").WithSummary("One registered user (admin key).").ProducesProblem(StatusCodes.Status404NotFound);
        users.MapPost("/", Create).WithName("CreateUser").WithSummary("Registers a user with a password and optional telephone numbers (admin key).")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);
        users.MapPatch("/{username}", Update).WithName("UpdateUser").WithSummary("Changes a user's busy policy (admin key): CallWaiting, Busy, or null for Calls:BusyPolicy.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        users.MapDelete("/{username}", Delete).WithName("DeleteUser").WithSummary("Removes a user (admin key).").ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Ok<IReadOnlyList<UserResponse>>> List(IUserDirectory users, CancellationToken cancellationToken) =>
        TypedResults.Ok<IReadOnlyList<UserResponse>>((await users.ListAsync(cancellationToken)).Select(ToResponse).ToList());

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> Get(string username, IUserDirectory users, CallDirectory directory, CancellationToken cancellationToken)
    {
        var account = directory.Parse(username) is { } address ? await users.FindAsync(address, cancellationToken) : null;
        return account is null ? NotFound(username) : TypedResults.Ok(ToResponse(account));
    }

    private static async Task<Created<CreatedUserResponse>> Create(
        [FromBody] CreateUserRequest request, UserRegistration registration, ILogger<CreateUserRequest> logger, CancellationToken cancellationToken)
    {
        // A refusal (invalid input, an existing user) is turned into its problem by CallRefusedExceptionHandler.
        var account = await registration.RegisterAsync(request.Username, request.Password, request.PhoneNumbers, request.BusyPolicy, cancellationToken);
        logger.LogInformation("User {Account} registered", account.Address);
        return TypedResults.Created($"/api/v1/users/{account.Username}", new CreatedUserResponse(account.Address.Value));
    }

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> Update(
        string username, [FromBody] UpdateUserRequest request, UserRegistration registration, CallDirectory directory, RecentUsers recentUsers, ILogger<CreateUserRequest> logger, CancellationToken cancellationToken)
    {
        if (directory.Parse(username) is not { Kind: Domain.Addresses.AddressKind.User } address)
        {
            return NotFound(username);
        }

        var account = await registration.SetBusyPolicyAsync(address, request.BusyPolicy, cancellationToken);
        recentUsers.Forget(address);
        if (account is null)
        {
            return NotFound(username);
        }

        logger.LogInformation("User {Account} changed", address);
        return TypedResults.Ok(ToResponse(account));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string username, IUserDirectory users, CallDirectory directory, RecentUsers recentUsers, IAccountSessions sessions, IPushRegistrationStore pushRegistrations, History.CallHistoryService history, ILogger<CreateUserRequest> logger, CancellationToken cancellationToken)
    {
        if (directory.Parse(username) is not { } address)
        {
            return NotFound(username);
        }

        // What the user leaves behind goes first (its phones' push registrations, its call history), and its
        // connections are closed even when the user is already gone: each step may be repeated, so a delete
        // that failed half-way (the store away) is finished by the next one, and a user of the same name
        // created later starts with nothing of this one's.
        await pushRegistrations.DeleteAllAsync(address, cancellationToken);
        await history.DeleteUserAsync(address, cancellationToken);
        var removed = await users.RemoveAsync(address, cancellationToken);
        recentUsers.Forget(address);

        // Its open connections go too, on every node (its tokens are refused from now on).
        await sessions.CloseAllAsync(address, cancellationToken);
        if (!removed)
        {
            return NotFound(username);
        }

        logger.LogInformation("User {Account} removed", address);
        return TypedResults.NoContent();
    }

    private static UserResponse ToResponse(UserAccount account) =>
        new(account.Username, account.Address.Value, account.PhoneNumbers, account.CreatedAt) { BusyPolicy = account.BusyPolicy?.ToString() };

    private static ProblemHttpResult NotFound(string username) =>
        TypedResults.Problem(ApiProblem.Create(ErrorCode.CalleeNotFound, $"no registered user {username}"));
}
