// One deliverQueuedMail() in a process of its own (a second server or job process), for tests of concurrent
// senders. Prints what it did as JSON.
import { deliverQueuedMail } from "../../lib/services/mail/deliver-queued-mail";
import { disconnectDb } from "../../lib/db/client";

const result = await deliverQueuedMail();
await disconnectDb();
process.stdout.write(JSON.stringify(result));
