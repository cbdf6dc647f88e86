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

        var publishedOn = c.PublishedOn ?? s.PublishedOn;
        int? minimumParticipation = null, minimumOffers = null;
        if (type.IsEu())
        {
            (minimumParticipation, minimumOffers) = CheckEuMinimumPeriods(c, type, publishedOn, rules);
        }

        return
        [
            new ProcurementDeadlinesSet(c.CaseId, publishedOn, c.ParticipationDeadline, c.OfferDeadline, c.ElectronicSubmission, c.Urgent,
                urgencyReason, minimumParticipation, minimumOffers, c.By, c.Now),
        ];
    }

    /// <summary>
    /// §§ 15–18 VgV: periods run from the day after the notice was sent. Offers of two-stage procedures are counted
    /// from the participation deadline, the earliest day the invitation to tender can go out.
    /// </summary>
    private static (int? Participation, int? Offers) CheckEuMinimumPeriods(
        SetProcurementDeadlines c, ProcurementProcedureType type, DateOnly? publishedOn, ProcurementRuleSet rules)
    {
        var twoStage = type.HasParticipationStage();
        Guard.Require(!twoStage || c.ParticipationDeadline is not null, ViolationCodes.ParticipationDeadlineRequired,
            $"The {type.GermanName()} has a participation stage; set its deadline.", "participationDeadline");
        Guard.Require(twoStage || c.ParticipationDeadline is null, ViolationCodes.ParticipationDeadlineNotApplicable,
            $"The {type.GermanName()} has no participation stage.", "participationDeadline");
        Guard.Require(publishedOn is not null, ViolationCodes.PublicationDateMissing,
            "The minimum periods of an EU procedure run from the publication; give its date.", "publishedOn");
        var published = publishedOn.GetValueOrDefault();
        var minimums = rules.LegalPeriodsOn(published).MinimumPeriodsFor(type)!;

        var participationDays = minimums.Participation?.For(c.ElectronicSubmission, c.Urgent);
        if (participationDays is { } pDays)
        {
            var earliest = published.AddDays(pDays);
            Guard.Require(c.ParticipationDeadline >= earliest, ViolationCodes.DeadlineBelowMinimum,
                $"The participation deadline must be at least {pDays} days after publication, so on {Dates.English(earliest)} or later.",
                "participationDeadline");
        }

        var offerDays = minimums.Offers?.For(c.ElectronicSubmission, c.Urgent);
        if (offerDays is { } oDays)
        {
            var from = twoStage ? c.ParticipationDeadline.GetValueOrDefault() : published;
            var earliest = from.AddDays(oDays);
            Guard.Require(c.OfferDeadline >= earliest, ViolationCodes.DeadlineBelowMinimum,
                $"The offer deadline must be at least {oDays} days after {(twoStage ? "the participation deadline" : "publication")}, " +
                $"so on {Dates.English(earliest)} or later.", "offerDeadline");
        }

        return (participationDays, offerDays);
    }

    private static IProcurementEvent[] NotifyAwardIntention(NotifyAwardIntention c, OpenCase s, ProcurementRuleSet rules)
    {
        var startedOn = RequireStarted(s);
        var bidder = Guard.RequireText(c.IntendedBidder, ViolationCodes.BidderRequired, "intendedBidder", "Name the bidder who is to win.");
        Guard.Require(c.NotifiedOn >= startedOn, ViolationCodes.NotificationBeforeStart,
            $"The notification cannot come before the start on {Dates.English(startedOn)}.", "notifiedOn");
        Guard.Require(!(c.NotifiedOn <= s.OfferDeadline), ViolationCodes.NotificationBeforeOfferDeadline,
            $"The award intention can only be notified after the offer deadline on {Dates.English(s.OfferDeadline.GetValueOrDefault())}.", "notifiedOn");
        // § 134 GWB: the standstill runs from the day after sending, so its last day is the sending day plus its length.
        var days = rules.LegalPeriodsOn(c.NotifiedOn).StandstillDays(c.SentElectronically);
        return [new AwardIntentionNotified(c.CaseId, c.NotifiedOn, c.SentElectronically, bidder, days, c.NotifiedOn.AddDays(days), c.By, c.Now)];
    }

    private static IProcurementEvent[] FileReview(FileReview c, OpenCase s, ProcurementRuleSet rules)
    {
        var startedOn = RequireStarted(s);
        var chamber = Guard.RequireText(c.Chamber, ViolationCodes.ChamberRequired, "chamber", "Name the review chamber (Vergabekammer).");
        Guard.Require(c.FiledOn >= startedOn, ViolationCodes.ReviewBeforeStart,
            $"A review cannot be filed before the start on {Dates.English(startedOn)}.", "filedOn");
        Guard.Require(s.ReviewFiledOn is null, ViolationCodes.ReviewAlreadyPending,
            $"A review filed on {Dates.English(s.ReviewFiledOn.GetValueOrDefault())} is still pending.");
        var decisionDue = c.FiledOn.AddDays(7 * rules.LegalPeriodsOn(c.FiledOn).ReviewDecisionWeeks);
        return [new ReviewFiled(c.CaseId, c.FiledOn, chamber, decisionDue, c.By, c.Now)];
    }

    private static IProcurementEvent[] ConcludeReview(ConcludeReview c, OpenCase s)
    {
        Guard.Require(s.ReviewFiledOn is not null, ViolationCodes.NoReviewPending, "No review is pending.");
        Guard.Require(c.ConcludedOn >= s.ReviewFiledOn, ViolationCodes.ReviewConcludedBeforeFiling,
            $"The review cannot conclude before it was filed on {Dates.English(s.ReviewFiledOn.GetValueOrDefault())}.", "concludedOn");
        return [new ReviewConcluded(c.CaseId, c.ConcludedOn, c.Outcome, c.By, c.Now)];
    }

    private static IProcurementEvent[] Award(AwardProcurement c, OpenCase s)
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
        }

        return [new ProcurementAwarded(c.CaseId, c.AwardedOn, vendor, c.ReleaseId, c.NetValue, type, c.By, c.Now)];
    }
}
