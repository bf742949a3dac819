/** Whether a Redis answers at a URL: for the cluster tests and the bench's cluster row, which skip without one. */
import { RedisClient } from "bun";

export async function redisAnswers(url: string): Promise<boolean> {
  const client = new RedisClient(url, { connectionTimeout: 1000, autoReconnect: false });
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.close();
  }
}
