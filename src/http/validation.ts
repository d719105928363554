/**
 * Validation at the edge with TypeBox: route schemas are JSON Schema (so they also produce the
 * OpenAPI document) and are checked here, without coercion for bodies (a business attribute
 * sent as "1" must come back as "1") and with string conversion for query and path parameters
 * (tried only when the strings as sent do not already fit: conversion allocates).
 * The first problem becomes one message naming the field: `from.state_id: must be an integer`.
 */
import type { TSchema } from "typebox";
import { Compile } from "typebox/compile";
import { AppError } from "../domain/errors.ts";
import { ISO_DATE_TIME } from "../domain/journeys.ts";

type Part = "body" | "querystring" | "params" | "headers";
interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

const PART_NAMES: Record<Part, string> = { body: "body", querystring: "query", params: "path", headers: "headers" };

/** A fastify validatorCompiler. */
export function compileValidator({ schema, httpPart }: { schema: unknown; httpPart?: string }) {
  const part = (httpPart ?? "body") as Part;
  const validator = Compile(schema as TSchema);
  // An empty body is an empty event where an object is expected (end events are all optional).
  const emptyBody = (schema as { type?: unknown }).type === "object" ? {} : undefined;
  return (data: unknown) => {
    if (part !== "body" && validator.Check(data)) return { value: data };
    const value = part === "body" ? (data ?? emptyBody) : validator.Convert(data);
    if (validator.Check(value)) return { value };
    const errors = validator.Errors(value) as unknown as SchemaError[];
    return { error: new AppError("invalid_input", describe(part, errors)) };
  };
}

function describe(part: Part, errors: SchemaError[]): string {
  const first = errors.find((e) => e.keyword !== "anyOf") ?? errors[0];
  if (first === undefined) return `${PART_NAMES[part]}: invalid`;
  const path = first.instancePath;
  if (first.keyword === "required") {
    const missing = (first.params.requiredProperties as string[] | undefined)?.[0] ?? String(first.params.missingProperty ?? "");
    return `${fieldName(part, path ? `${path}/${missing}` : `/${missing}`)}: is required`;
  }
  const alternatives = errors.filter((e) => e.instancePath === path && e.keyword === "type").map((e) => String(e.params.type));
  if (errors.some((e) => e.instancePath === path && e.keyword === "anyOf") && alternatives.length > 1) {
    return `${fieldName(part, path)}: must be ${alternatives.map(article).join(" or ")}`;
  }
  if (first.keyword === "type") return `${fieldName(part, path)}: must be ${article(String(first.params.type))}`;
  if (first.keyword === "pattern" && first.params.pattern === ISO_DATE_TIME) {
    return `${fieldName(part, path)}: must be an ISO 8601 date-time (2009-05-12T12:05:12.145Z)`;
  }
  return `${fieldName(part, path)}: ${first.message}`;
}

function fieldName(part: Part, instancePath: string): string {
  const path = instancePath.split("/").filter(Boolean).join(".");
  return path === "" ? PART_NAMES[part] : path;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
