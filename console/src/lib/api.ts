// One typed client per service (openapi-fetch over the generated types); every call carries the session's token.
import createClient, { type Client, type Middleware } from "openapi-fetch";
import { serviceUrl, type Service } from "@/lib/config";
import { apiErrorFrom, ApiError } from "@/lib/errors";
import { getSession, setSession } from "@/lib/session";

const auth: Middleware = {
  onRequest({ request }) {
    const session = getSession();
    if (session) request.headers.set("Authorization", `Bearer ${session.token}`);
    return request;
  },
  onResponse({ response }) {
    // A token the services no longer accept ends the session; the sign-in page says why.
    if (response.status === 401 && getSession()) setSession(null, "Your session has ended. Sign in again.");
    return response;
  },
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const clients = new Map<Service, Client<any>>();

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function lazyClient<Paths extends {}>(service: Service): () => Client<Paths> {
  return () => {
    let client = clients.get(service);
    if (!client) {
      client = createClient<Paths>({ baseUrl: serviceUrl(service) });
      client.use(auth);
      clients.set(service, client);
    }
    return client as Client<Paths>;
  };
}

/** The data of an openapi-fetch answer, or an ApiError carrying the service's own message and field errors. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (exc) {
    throw new ApiError(0, exc instanceof Error ? exc.message : String(exc));
  }
  if (!result.response.ok) throw apiErrorFrom(result.response.status, result.error);
  return result.data as T;
}
