using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Domain.Deciding;

namespace Roadmap.Api.Infrastructure;

/// <summary>A broken domain rule as a problem: 409 with the rule's code as type (404 for an unknown resource).</summary>
public static class DomainProblems
{
    public static ProblemHttpResult From(DomainRuleViolation violation)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = violation.Code };
        if (violation.Field is not null)
        {
            extensions["field"] = violation.Field;
        }

        return violation.Kind == ViolationKind.NotFound
            ? Problems.Create(StatusCodes.Status404NotFound, violation.Code, "Not found", violation.Message, extensions)
            : Problems.Create(StatusCodes.Status409Conflict, violation.Code, "The decision breaks a rule", violation.Message, extensions);
    }
}
