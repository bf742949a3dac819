/** A database kiro-ts cannot use: named with its reason in one line; start-up ends with exit code 2. */
import { ConfigError } from "../config/load";

export class DatabaseError extends ConfigError {
  override name = "DatabaseError";
}
