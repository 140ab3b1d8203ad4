// Files are opened without following a final symbolic link: a file swapped for a link after it was listed (to read
// something outside the allowed folder) fails to open instead.
import { constants } from "node:fs";

export const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW;
