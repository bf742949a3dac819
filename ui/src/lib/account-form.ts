import type { AddAccountRequest, AuthMethod } from "../api/types";
import { type MessageKey, t } from "../state/i18n";

/** The add dialog's form: every field a string, as typed, whichever auth method shows it. */
export interface FormState {
  name: string;
  refreshToken: string;
  kiroApiKey: string;
  authMethod: AuthMethod;
  provider: string;
  region: string;
  accessToken: string;
  csrfToken: string;
  clientId: string;
  clientSecret: string;
  profileArn: string;
  expiresAt: string;
  addToPool: boolean;
}

export const emptyForm = (): FormState => ({
  name: "",
  refreshToken: "",
  kiroApiKey: "",
  authMethod: "social",
  provider: "",
  region: "",
  accessToken: "",
  csrfToken: "",
  clientId: "",
  clientSecret: "",
  profileArn: "",
  expiresAt: "",
  addToPool: true,
});

/** The form → the API's body, leaving out what the user left empty (and, for an API key, what only tokens use). */
export function formToRequest(form: FormState): AddAccountRequest {
  if (form.authMethod === "api_key") return { name: form.name.trim(), kiroApiKey: form.kiroApiKey.trim(), authMethod: "api_key", addToPool: form.addToPool };
  const request: AddAccountRequest = { name: form.name.trim(), refreshToken: form.refreshToken.trim(), authMethod: form.authMethod, addToPool: form.addToPool };
  const optional = ["provider", "region", "accessToken", "csrfToken", "clientId", "clientSecret", "profileArn", "expiresAt"] as const;
  for (const key of optional) {
    const value = form[key].trim();
    if (value !== "") request[key] = value;
  }
  return request;
}

/** A request read from pasted JSON → the form, for the user to finish. */
export function requestToForm(request: AddAccountRequest): FormState {
  return {
    ...emptyForm(),
    name: request.name,
    refreshToken: request.refreshToken ?? "",
    kiroApiKey: request.kiroApiKey ?? "",
    authMethod: request.authMethod ?? "social",
    provider: request.provider ?? "",
    region: request.region ?? "",
    accessToken: request.accessToken ?? "",
    csrfToken: request.csrfToken ?? "",
    clientId: request.clientId ?? "",
    clientSecret: request.clientSecret ?? "",
    profileArn: request.profileArn ?? "",
    expiresAt: request.expiresAt ?? "",
  };
}

/** What keeps the form from being sent, in the user's language, or null. */
export function formProblem(form: FormState): string | null {
  const missing = (key: MessageKey) => t("required", { field: t(key) });
  if (form.name.trim() === "") return missing("fieldName");
  if (form.authMethod === "api_key") return form.kiroApiKey.trim() === "" ? missing("fieldApiKey") : null;
  if (form.refreshToken.trim() === "") return missing("fieldRefreshToken");
  if (form.authMethod === "IdC" && (form.clientId.trim() === "" || form.clientSecret.trim() === "")) return t("idcNeedsClient");
  return null;
}
