import fs from "node:fs";
import path from "node:path";
import { parseSync } from "@swc/core";

/**
 * User-visible text written into a component instead of taken from messages/*.json: JSX text with letters,
 * string literals in props people read (label, title, placeholder, aria-label, …) or in object properties of those
 * names, and string literals a JSX child expression shows (`{open ? "Close" : "Open"}`). Numbers, punctuation and
 * symbols are allowed. swc parses (TypeScript 7 has no compiler API); it is what dependency-cruiser uses here too.
 */
export type Literal = { file: string; line: number; text: string };

const VISIBLE_PROPS = new Set([
  "label", "title", "placeholder", "aria-label", "aria-description", "aria-valuetext", "alt", "description", "hint",
  "pendingLabel", "confirmLabel", "cancelLabel", "submitLabel", "heading", "message", "error", "text", "summary",
]);
/** Object properties whose string is shown as it is (option lists: `{ value: "date", label: "On a date" }`). */
const VISIBLE_KEYS = new Set(["label", "title", "placeholder", "description", "hint", "heading", "summary"]);
const LETTERS = /\p{L}{2,}/u;

type Node = { type?: string; [key: string]: unknown };

export function literalStrings(file: string, source = fs.readFileSync(file, "utf8")): Literal[] {
  const ast = parseSync(source, { syntax: "typescript", tsx: file.endsWith(".tsx"), comments: false }) as unknown as Node;
  const base = (ast.span as { start: number }).start - (source.length - source.trimStart().length);
  const found: Literal[] = [];
  const lineOf = (node: Node) => source.slice(0, Math.max(0, (node.span as { start: number }).start - base)).split("\n").length;
  const flag = (node: Node, text: string) => {
    const trimmed = text.replace(/\s+/g, " ").trim();
    if (LETTERS.test(trimmed)) found.push({ file, line: lineOf(node), text: trimmed });
  };
  /** Strings an expression shows as it is: itself, either branch of a condition, either side of || / ?? / &&. */
  const shown = (node: Node | undefined) => {
    if (!node) return;
    if (node.type === "StringLiteral") flag(node, node.value as string);
    else if (node.type === "TemplateLiteral") flag(node, (node.quasis as Node[]).map((q) => q.cooked ?? "").join(" "));
    else if (node.type === "ConditionalExpression") {
      shown(node.consequent as Node);
      shown(node.alternate as Node);
    } else if (node.type === "BinaryExpression" && ["||", "??", "&&", "+"].includes(node.operator as string)) {
      shown(node.left as Node);
      shown(node.right as Node);
    } else if (node.type === "ParenthesisExpression") shown(node.expression as Node);
  };
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== "object") return;
    const n = node as Node;
    if (n.type === "JSXText") flag(n, n.value as string);
    if (n.type === "JSXElement" || n.type === "JSXFragment")
      for (const child of n.children as Node[]) if (child.type === "JSXExpressionContainer") shown(child.expression as Node);
    if (n.type === "JSXAttribute") {
      const name = (n.name as Node).value as string;
      if (VISIBLE_PROPS.has(name)) {
        const value = n.value as Node | null;
        if (value?.type === "StringLiteral") flag(value, value.value as string);
        else if (value?.type === "JSXExpressionContainer") shown(value.expression as Node);
      }
    }
    if (n.type === "KeyValueProperty") {
      const key = n.key as Node;
      const name = (key.value ?? "") as string;
      if (VISIBLE_KEYS.has(name)) shown(n.value as Node);
    }
    for (const [key, value] of Object.entries(n)) if (key !== "span") walk(value);
  };
  walk(ast.body);
  return found;
}

export function componentFiles(root: string, dirs = ["app", "components"]): string[] {
  const out: string[] = [];
  const visit = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.name.endsWith(".tsx")) out.push(path.relative(root, full));
    }
  };
  for (const d of dirs) visit(path.join(root, d));
  return out.sort();
}
