-- After a rotation the previous secret keeps signing as well (a second v1 signature in webhook-signature) until
-- previous_until, so a receiver can switch to the new secret without refusing deliveries meanwhile.
alter table __schema__.webhook_secrets
  add column previous_secret text,
  add column previous_until  timestamptz;
