// Tests run in UTC whatever the machine says, so that "the date of occurredAt" means one thing.
process.env.TZ = 'UTC';
