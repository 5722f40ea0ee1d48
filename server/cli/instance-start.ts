// What each command that starts demos (serve, run, compare, record) does first: end what a
// dead instance left behind, say so, and begin this process's own instance.
import type { DemoInstance } from '../instance/demo-instance.js';

export async function startDemoInstance(command: string, say: (line: string) => void): Promise<DemoInstance> {
  const [{ sweepLeftovers, describeSweep }, { demoInstance }] = await Promise.all([import('../instance/leftovers.js'), import('../instance/demo-instance.js')]);
  for (const line of describeSweep(await sweepLeftovers())) say(line);
  const instance = demoInstance(command);
  instance.describe(command);
  return instance;
}
