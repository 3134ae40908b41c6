// A sample of calls a frontend makes, type-checked against the client that
// openapi-typescript generates from the OpenAPI document: if a route, a
// parameter, a header or a field the frontend relies on changes shape, this
// stops compiling.
import createClient from "openapi-fetch";
import type { paths } from "./jangteo";

const api = createClient<paths>({ baseUrl: "http://localhost:8080" });

export async function browse(): Promise<number> {
  const { data, error } = await api.GET("/v1/products", {
    params: { query: { q: "캔들", sort: "price_asc", page_size: 20 } },
  });
  if (error) throw new Error(error.message);
  const count: number | undefined = data.total_count; // a JSON number
  return count ?? 0;
}

export async function addToCart(variantId: string, cartToken?: string) {
  const { data, error } = await api.POST("/v1/cart/items", {
    params: { header: { "X-Cart-Token": cartToken } },
    body: { variant_id: variantId, quantity: 1 },
  });
  if (error) throw new Error(error.message);
  const itemCount: number | undefined = data.cart?.item_count;
  const amount: string | undefined = data.cart?.grand_total?.amount; // int64 money is a string
  return { itemCount, amount };
}

export async function login(email: string, password: string) {
  const { data, error } = await api.POST("/v1/auth/login", { body: { email, password } });
  if (error) throw new Error(error.message);
  const expiresIn: number | undefined = data.expires_in;
  return { token: data.access_token, expiresIn };
}
