using Roadmap.Domain.Deciding;
using Roadmap.Domain.Procurement;
using Roadmap.Domain.Shared;

namespace Roadmap.Domain.Procurements;

/// <summary>The procedure once started: deadlines, award intention and standstill, review, award.</summary>
public static partial class ProcurementCase
{
    private static IProcurementEvent[] SetDeadlines(SetProcurementDeadlines c, OpenCase s, ProcurementRuleSet rules)
    {
        var startedOn = RequireStarted(s);
        var type = s.ProcedureType.GetValueOrDefault();
        var urgencyReason = string.IsNullOrWhiteSpace(c.UrgencyReason) ? null : c.UrgencyReason.Trim();
        Guard.Require(!c.Urgent || urgencyReason is not null, ViolationCodes.UrgencyReasonRequired,
            "Shortened periods for urgency need the reason for the urgency.", "urgencyReason");
        Guard.Require(!(c.PublishedOn < startedOn), ViolationCodes.PublicationBeforeStart,
            $"The publication cannot come before the start on {Dates.English(startedOn)}.", "publishedOn");
        Guard.Require(!(c.ParticipationDeadline <= startedOn), ViolationCodes.DeadlineBeforeStart,
            $"The participation deadline must come after the start on {Dates.English(startedOn)}.", "participationDeadline");
        Guard.Require(c.OfferDeadline > startedOn, ViolationCodes.DeadlineBeforeStart,
            $"The offer deadline must come after the start on {Dates.English(startedOn)}.", "offerDeadline");
        Guard.Require(!(c.OfferDeadline <= c.ParticipationDeadline), ViolationCodes.OfferDeadlineBeforeParticipationDeadline,
            "Offers are due after the participation deadline.", "offerDeadline");

        Guard.Require(!(c.NoticeSentOn < startedOn), ViolationCodes.PublicationBeforeStart,
            $"The notice cannot be sent before the start on {Dates.English(startedOn)}.", "noticeSentOn");

        var publishedOn = c.PublishedOn ?? s.PublishedOn;
        var noticeSentOn = c.NoticeSentOn ?? s.NoticeSentOn;
        if (c.NoticeSentOn is not null || c.PublishedOn is not null)
        {
            // A notice sent later than the start assumed moves the day the procedure actually began (§ 3 (3) VgV).
            var actualStart = noticeSentOn ?? publishedOn ?? startedOn;
            RequireLawfulAtActualStart(type, s, actualStart, rules, c.NoticeSentOn is not null ? "noticeSentOn" : "publishedOn",
                "A started procedure cannot be determined again: send the notice on a day under the same rules, or cancel this procurement " +
                "and open a new case.");
        }

        int? minimumParticipation = null, minimumOffers = null;
        if (type.IsEu())
        {
            (minimumParticipation, minimumOffers) = CheckEuMinimumPeriods(c, type, noticeSentOn, s.LeadAgs.Land, rules);
        }

        return
        [
            new ProcurementDeadlinesSet(c.CaseId, publishedOn, c.ParticipationDeadline, c.OfferDeadline, c.ElectronicSubmission, c.Urgent,
                urgencyReason, minimumParticipation, minimumOffers, c.By, c.Now, noticeSentOn),
        ];
    }

    /// <summary>
    /// §§ 15–18 VgV: periods run from the day after the notice was sent, so the earliest deadline is the sending day plus the
    /// minimum, moved to the next working day when that is a Saturday, Sunday or public holiday (Regulation 1182/71 Art. 3(4),
    /// § 82 VgV). Offers of two-stage procedures are counted from the participation deadline, the earliest day the invitation
    /// to tender can go out.
    /// </summary>
    private static (int? Participation, int? Offers) CheckEuMinimumPeriods(
        SetProcurementDeadlines c, ProcurementProcedureType type, DateOnly? noticeSentOn, LandCode land, ProcurementRuleSet rules)
    {
        var twoStage = type.HasParticipationStage();
        Guard.Require(!twoStage || c.ParticipationDeadline is not null, ViolationCodes.ParticipationDeadlineRequired,
            $"The {type.GermanName()} has a participation stage; set its deadline.", "participationDeadline");
        Guard.Require(twoStage || c.ParticipationDeadline is null, ViolationCodes.ParticipationDeadlineNotApplicable,
            $"The {type.GermanName()} has no participation stage.", "participationDeadline");
        Guard.Require(noticeSentOn is not null, ViolationCodes.NoticeSentDateMissing,
            "The minimum periods of an EU procedure run from the day after its notice was sent (§§ 15–18 VgV); give the day it was sent.",
            "noticeSentOn");
        var sent = noticeSentOn.GetValueOrDefault();
        var minimums = rules.LegalPeriodsOn(sent).MinimumPeriodsFor(type)!;

        var participationDays = minimums.Participation?.For(c.ElectronicSubmission, c.Urgent);
        if (participationDays is { } pDays)
        {
            var earliest = rules.EndOfPeriod(sent.AddDays(pDays), land);
            Guard.Require(c.ParticipationDeadline >= earliest, ViolationCodes.DeadlineBelowMinimum,
                $"The participation deadline must be at least {pDays} days after the notice was sent on {Dates.English(sent)}, " +
                $"so on {Dates.English(earliest)} or later{Moved(sent.AddDays(pDays), earliest, land, rules)}.", "participationDeadline");
        }

        var offerDays = minimums.Offers?.For(c.ElectronicSubmission, c.Urgent);
        if (offerDays is { } oDays)
        {
            var from = twoStage ? c.ParticipationDeadline.GetValueOrDefault() : sent;
            var earliest = rules.EndOfPeriod(from.AddDays(oDays), land);
            Guard.Require(c.OfferDeadline >= earliest, ViolationCodes.DeadlineBelowMinimum,
                $"The offer deadline must be at least {oDays} days after " +
                $"{(twoStage ? "the participation deadline" : $"the notice was sent on {Dates.English(sent)}")}, " +
                $"so on {Dates.English(earliest)} or later{Moved(from.AddDays(oDays), earliest, land, rules)}.", "offerDeadline");
        }

        return (participationDays, offerDays);
    }

    /// <summary>" (the period's last day, 1 November 2025, is Allerheiligen, a public holiday: ...)" when the end moved, else "".</summary>
    private static string Moved(DateOnly lastDay, DateOnly end, LandCode land, ProcurementRuleSet rules)
    {
        if (lastDay == end)
        {
            return "";
        }

        var why = rules.HolidayOn(lastDay, land) is { } holiday ? $"{holiday.Name}, a public holiday" : $"a {lastDay.DayOfWeek}";
        return $" (the period's last day, {Dates.English(lastDay)}, is {why}, so it ends on the next working day: " +
            "Regulation (EEC, Euratom) No 1182/71 Art. 3(4), § 82 VgV)";
    }

    private static IProcurementEvent[] NotifyAwardIntention(NotifyAwardIntention c, OpenCase s, ProcurementRuleSet rules)
    {
        var startedOn = RequireStarted(s);
        var bidder = Guard.RequireText(c.IntendedBidder, ViolationCodes.BidderRequired, "intendedBidder", "Name the bidder who is to win.");
        Guard.Require(c.NotifiedOn >= startedOn, ViolationCodes.NotificationBeforeStart,
            $"The notification cannot come before the start on {Dates.English(startedOn)}.", "notifiedOn");
        var type = s.ProcedureType.GetValueOrDefault();
        Guard.Require(!type.IsEu() || s.OfferDeadline is not null, ViolationCodes.OfferDeadlineMissing,
            $"A {type.GermanName()} needs its offer deadline recorded, and checked against the minimum periods of §§ 15–18 VgV, " +
            "before the bidders are informed of the award (§ 134 GWB); set the deadlines first.");
        Guard.Require(!(c.NotifiedOn <= s.OfferDeadline), ViolationCodes.NotificationBeforeOfferDeadline,
            $"The award intention can only be notified after the offer deadline on {Dates.English(s.OfferDeadline.GetValueOrDefault())}.", "notifiedOn");
        // § 134 (2) GWB: the standstill runs from the day after sending, so its last day is the sending day plus its length,
        // moved to the next working day (Regulation 1182/71 Art. 3(4)).
        var days = rules.LegalPeriodsOn(c.NotifiedOn).StandstillDays(c.SentElectronically);
        var endsOn = rules.EndOfPeriod(c.NotifiedOn.AddDays(days), s.LeadAgs.Land);
        return [new AwardIntentionNotified(c.CaseId, c.NotifiedOn, c.SentElectronically, bidder, days, endsOn, c.By, c.Now)];
    }

    private static IProcurementEvent[] FileReview(FileReview c, OpenCase s, ProcurementRuleSet rules)
    {
        var startedOn = RequireStarted(s);
        var chamber = Guard.RequireText(c.Chamber, ViolationCodes.ChamberRequired, "chamber", "Name the review chamber (Vergabekammer).");
        Guard.Require(c.FiledOn >= startedOn, ViolationCodes.ReviewBeforeStart,
            $"A review cannot be filed before the start on {Dates.English(startedOn)}.", "filedOn");
        Guard.Require(s.ReviewFiledOn is null, ViolationCodes.ReviewAlreadyPending,
            $"A review filed on {Dates.English(s.ReviewFiledOn.GetValueOrDefault())} is still pending.");
        // § 167 (1) GWB: five weeks from receipt of the request, ending on a working day.
        var decisionDue = rules.EndOfPeriod(c.FiledOn.AddDays(7 * rules.LegalPeriodsOn(c.FiledOn).ReviewDecisionWeeks), s.LeadAgs.Land);
        return [new ReviewFiled(c.CaseId, c.FiledOn, chamber, decisionDue, c.By, c.Now)];
    }

    private static IProcurementEvent[] ConcludeReview(ConcludeReview c, OpenCase s, ProcurementRuleSet rules)
    {
        Guard.Require(s.ReviewFiledOn is not null, ViolationCodes.NoReviewPending, "No review is pending.");
        Guard.Require(c.ConcludedOn >= s.ReviewFiledOn, ViolationCodes.ReviewConcludedBeforeFiling,
            $"The review cannot conclude before it was filed on {Dates.English(s.ReviewFiledOn.GetValueOrDefault())}.", "concludedOn");
        Guard.Require(c.Outcome != ReviewOutcome.Dismissed || c.DecisionServedOn is not null, ViolationCodes.DecisionServedDateRequired,
            "After a dismissal the award waits two weeks from the day the chamber's decision was served, for the immediate appeal " +
            "(§ 172 (1), § 169 (1) GWB); give the day it was served.", "decisionServedOn");
        Guard.Require(!(c.DecisionServedOn < c.ConcludedOn), ViolationCodes.DecisionServedBeforeConclusion,
            $"The decision cannot be served before it was taken on {Dates.English(c.ConcludedOn)}.", "decisionServedOn");
        DateOnly? appealEndsOn = c is { Outcome: ReviewOutcome.Dismissed, DecisionServedOn: { } served }
            ? rules.EndOfPeriod(served.AddDays(7 * rules.LegalPeriodsOn(served).AppealWeeks), s.LeadAgs.Land)
            : null;
        return [new ReviewConcluded(c.CaseId, c.ConcludedOn, c.Outcome, c.By, c.Now, c.DecisionServedOn, appealEndsOn)];
    }

    private static IProcurementEvent[] Award(AwardProcurement c, OpenCase s, ProcurementRuleSet rules)
    {
        var startedOn = RequireStarted(s);
        var vendor = Guard.RequireText(c.VendorName, ViolationCodes.VendorRequired, "vendorName", "Name the vendor the contract is awarded to.");
        Guard.Require(c.AwardedOn >= startedOn, ViolationCodes.AwardBeforeStart,
            $"The award cannot come before the start on {Dates.English(startedOn)}.", "awardedOn");
        Guard.Require(c.AwardedOn <= c.Today(), ViolationCodes.AwardInFuture,
            $"An award on {Dates.English(c.AwardedOn)} has not happened yet; record it when the contract is concluded.", "awardedOn");
        Guard.Require(!(c.AwardedOn <= s.OfferDeadline), ViolationCodes.AwardBeforeOfferDeadline,
            $"The award must come after the offer deadline on {Dates.English(s.OfferDeadline.GetValueOrDefault())}.", "awardedOn");
        Guard.Require(s.ReviewFiledOn is null, ViolationCodes.ReviewPending,
            $"A review filed on {Dates.English(s.ReviewFiledOn.GetValueOrDefault())} is pending; it blocks the award.");
        var type = s.ProcedureType.GetValueOrDefault();
        if (type.IsEu())
        {
            Guard.Require(s.StandstillEndsOn is not null, ViolationCodes.AwardIntentionMissing,
                "An EU procedure needs the bidders notified of the award intention before the award (§ 134 GWB).");
            Guard.Require(c.AwardedOn > s.StandstillEndsOn, ViolationCodes.StandstillNotOver,
                $"The standstill ends on {Dates.English(s.StandstillEndsOn.GetValueOrDefault())}; the award can follow from the next day.", "awardedOn");
            Guard.Require(s.OfferDeadline is not null, ViolationCodes.OfferDeadlineMissing,
                $"A {type.GermanName()} needs its offer deadline recorded, and checked against the minimum periods of §§ 15–18 VgV, " +
                "before the award; set the deadlines first.");
        }

        Guard.Require(!(c.AwardedOn <= s.AppealEndsOn), ViolationCodes.AppealPeriodNotOver,
            $"The review was dismissed by a decision served on {Dates.English(s.DecisionServedOn.GetValueOrDefault())}; the two weeks for " +
            $"the immediate appeal (§ 172 (1) GWB) end on {Dates.English(s.AppealEndsOn.GetValueOrDefault())} and no contract may be " +
            $"concluded before (§ 169 (1) GWB). The award can follow from {Dates.English(s.AppealEndsOn.GetValueOrDefault().AddDays(1))}.",
            "awardedOn");
        CheckAwardedValue(c, s, type, rules);

        return [new ProcurementAwarded(c.CaseId, c.AwardedOn, vendor, c.ReleaseId, c.NetValue, type, c.By, c.Now)];
    }
}
