/**
 * Input the user can fix (an option out of range, a folder the lab may not write into, two
 * scenarios with one name, a scenario or applicationHost.config file that cannot run): the CLI
 * prints the message alone and exits 2, the code of bad input, never 1, which means an
 * expectation did not hold. Subclasses carry their own file and line in the message.
 */
export class InputError extends Error {
  override name = 'InputError';
}
