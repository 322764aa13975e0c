using CallServer.Domain.Errors;
using Microsoft.AspNetCore.Mvc;

namespace CallServer.Api;

/// <summary>RFC 7807 problem details carrying the contract's stable error <c>code</c>.</summary>
public static class ApiProblem
{
    public static int StatusOf(ErrorCode code) => code switch
    {
        ErrorCode.Unauthorized => StatusCodes.Status401Unauthorized,
        ErrorCode.Forbidden => StatusCodes.Status403Forbidden,
        ErrorCode.CallNotFound or ErrorCode.CalleeNotFound or ErrorCode.RegistrationNotFound => StatusCodes.Status404NotFound,
        ErrorCode.InvalidState or ErrorCode.OperationInProgress or ErrorCode.AlreadyOnHold or ErrorCode.NotOnHold => StatusCodes.Status409Conflict,
        ErrorCode.RateLimited => StatusCodes.Status429TooManyRequests,
        ErrorCode.PayloadTooLarge => StatusCodes.Status413PayloadTooLarge,
        ErrorCode.Unavailable or ErrorCode.CalleeUnavailable => StatusCodes.Status503ServiceUnavailable,
        ErrorCode.Timeout => StatusCodes.Status504GatewayTimeout,
        _ => StatusCodes.Status400BadRequest,
    };

    public static ProblemDetails Create(ErrorCode code, string detail, HttpContext? context = null)
    {
        var status = StatusOf(code);
        var problem = new ProblemDetails
        {
            Status = status,
            Title = code.ToString(),
            Detail = detail,
            Type = $"https://callserver.dev/problems/{code}",
            Instance = context?.Request.Path,
        };
        problem.Extensions["code"] = code.ToString();
        return problem;
    }

    /// <summary>The result for a minimal API endpoint.</summary>
    public static IResult Result(ErrorCode code, string detail) =>
        TypedResults.Problem(Create(code, detail));

    public static IResult Result(DomainError error) => Result(error.Code, error.Message);

    /// <summary>
    /// Gives the framework's own problems (a malformed body, an unknown route, a wrong method) a stable
    /// <c>code</c> too: the contract's code for the status where there is one, else <c>NotFound</c> or <c>InternalError</c> (added).
    /// </summary>
    public static void AddMissingCode(ProblemDetailsContext context)
    {
        var extensions = context.ProblemDetails.Extensions;
        if (extensions.ContainsKey("code"))
        {
            return;
        }

        extensions["code"] = context.ProblemDetails.Status switch
        {
            StatusCodes.Status401Unauthorized => nameof(ErrorCode.Unauthorized),
            StatusCodes.Status403Forbidden => nameof(ErrorCode.Forbidden),
            StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed => "NotFound",
            StatusCodes.Status413PayloadTooLarge => nameof(ErrorCode.PayloadTooLarge),
            StatusCodes.Status429TooManyRequests => nameof(ErrorCode.RateLimited),
            StatusCodes.Status503ServiceUnavailable => nameof(ErrorCode.Unavailable),
            >= 500 => "InternalError",
            _ => nameof(ErrorCode.InvalidArgument),
        };
    }

    /// <summary>Writes the problem straight to the response (authentication events, rate limiter).</summary>
    public static Task Write(HttpContext context, ErrorCode code, string detail)
    {
        var problem = Create(code, detail, context);
        context.Response.StatusCode = problem.Status!.Value;
        return context.Response.WriteAsJsonAsync(problem, options: null, contentType: "application/problem+json");
    }
}
