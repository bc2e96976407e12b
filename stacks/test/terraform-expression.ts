/**
 * Evaluates the small part of Terraform's expression language that synthesized values use
 * (`${jsonencode({...})}`, `jsondecode(...)`, objects, lists, strings with `${...}` templates,
 * numbers, booleans and references), so a test can compute what Terraform would write at apply
 * time and hand it to the consumer's own parser. `references` gives each reference's value
 * (`aws_cognito_user_pool.x.id` → a pool id); an unknown reference or function throws.
 */
export function evaluateTerraform(value: string, references: Record<string, unknown>): unknown {
  const whole = /^\$\{([\s\S]*)\}$/.exec(value);
  if (!whole) return value;
  const parser = new Parser(whole[1]!, references);
  const result = parser.expression();
  parser.end();
  return result;
}

class Parser {
  private at = 0;

  constructor(
    private readonly text: string,
    private readonly references: Record<string, unknown>,
  ) {}

  expression(): unknown {
    this.skipSpace();
    const c = this.text[this.at];
    if (c === "{") return this.object();
    if (c === "[") return this.list();
    if (c === '"') return this.template();
    const number = /^-?\d+(\.\d+)?/.exec(this.text.slice(this.at));
    if (number) {
      this.at += number[0].length;
      return Number(number[0]);
    }
    const name = /^[A-Za-z_][\w.-]*/.exec(this.text.slice(this.at))?.[0];
    if (!name) throw this.error("an expression");
    this.at += name.length;
    if (name === "true" || name === "false") return name === "true";
    if (name === "null") return null;
    this.skipSpace();
    if (this.text[this.at] === "(") {
      this.at++;
      const argument = this.expression();
      this.expect(")");
      if (name === "jsonencode") return JSON.stringify(argument);
      if (name === "jsondecode") return JSON.parse(String(argument));
      throw new Error(`Terraform function ${name}() is not supported by this evaluator`);
    }
    if (!(name in this.references)) throw new Error(`No value given for the Terraform reference ${name}`);
    return this.references[name];
  }

  end(): void {
    this.skipSpace();
    if (this.at !== this.text.length) throw this.error("the end of the expression");
  }

  private object(): Record<string, unknown> {
    this.expect("{");
    const result: Record<string, unknown> = {};
    while (!this.accept("}")) {
      const key = String(this.expression());
      this.expect("=");
      result[key] = this.expression();
      this.accept(",");
    }
    return result;
  }

  private list(): unknown[] {
    this.expect("[");
    const result: unknown[] = [];
    while (!this.accept("]")) {
      result.push(this.expression());
      this.accept(",");
    }
    return result;
  }

  /** A quoted string; `${...}` inside is an interpolated expression. */
  private template(): string {
    this.expect('"');
    let out = "";
    for (;;) {
      const c = this.text[this.at];
      if (c === undefined) throw this.error('a closing "');
      if (c === '"') {
        this.at++;
        return out;
      }
      if (c === "\\") {
        const escaped = this.text[this.at + 1];
        out += escaped === "n" ? "\n" : escaped === "t" ? "\t" : (escaped ?? "");
        this.at += 2;
      } else if (c === "$" && this.text[this.at + 1] === "{") {
        this.at += 2;
        out += String(this.expression());
        this.expect("}");
      } else {
        out += c;
        this.at++;
      }
    }
  }

  private skipSpace(): void {
    while (/\s/.test(this.text[this.at] ?? "")) this.at++;
  }

  private accept(token: string): boolean {
    this.skipSpace();
    if (!this.text.startsWith(token, this.at)) return false;
    this.at += token.length;
    return true;
  }

  private expect(token: string): void {
    if (!this.accept(token)) throw this.error(`"${token}"`);
  }

  private error(wanted: string): Error {
    return new Error(
      `Expected ${wanted} at ${this.at} of the Terraform expression: ${this.text.slice(this.at, this.at + 40)}`,
    );
  }
}
