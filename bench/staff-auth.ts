/**
 * How a simulated staff member authenticates to the API: the one place the benchmark knows it.
 * Today staff are named by the `X-Staff-User` header (api/staff.ts); when sign-in lands, this
 * becomes a login that caches the bearer token per user.
 */

/** Request headers that authenticate `userId` against the API at `baseUrl`. */
export async function staffHeaders(_baseUrl: string, userId: string): Promise<Record<string, string>> {
  return Promise.resolve({ 'x-staff-user': userId });
}
