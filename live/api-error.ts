import type { z } from 'zod';

/** An error the control API answers with its own status: 400 with the field path, 404, 409. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
  }

  /** A 400 naming each field as a dotted path from the body's root (`script.0.do.0.sleep`). */
  static invalid(error: z.ZodError, prefix: (string | number)[] = []): ApiError {
    const issues = error.issues.map((i) => ({ path: [...prefix, ...i.path].map(String).join('.') || '(body)', message: i.message }));
    return new ApiError(400, issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
  }
}
