import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { topicName, subjectOf, type TopicSpec, type ValueOf } from './catalogue.ts';
import { DecodeError, EncodeError, RegistryError } from './errors.ts';
import { loadSchemas } from './schemas.ts';

export interface SerdeOptions {
  /** Confluent-compatible registry base URL, e.g. http://localhost:8081/apis/ccompat/v7 */
  url: string;
  /** Deployment namespace of topic names (see topicName). */
  namespace?: string;
}

/**
 * Avro values in the Confluent wire format (magic byte, schema id, body). Each topic's schema is
 * registered under `<topic>-value` with BACKWARD compatibility before the first write.
 */
export class AvroSerde {
  readonly registry: SchemaRegistry;
  readonly namespace: string;
  private readonly url: string;

  /** The registry's base URL (readiness probes ask it). */
  get registryUrl(): string {
    return this.url;
  }
  private readonly ids = new Map<string, Promise<number>>();

  constructor(opts: SerdeOptions) {
    this.url = opts.url.replace(/\/$/, '');
    this.registry = new SchemaRegistry({ host: this.url });
    this.namespace = opts.namespace ?? '';
  }

  /** Registers (or finds) the topic's value schema once per process; concurrent callers share the call. */
  register(spec: TopicSpec): Promise<number> {
    const topic = topicName(spec, this.namespace);
    let id = this.ids.get(topic);
    if (!id) {
      id = this.registerNow(spec, topic);
      this.ids.set(topic, id);
      id.catch(() => this.ids.delete(topic));
    }
    return id;
  }

  private async registerNow(spec: TopicSpec, topic: string): Promise<number> {
    const schema = JSON.stringify(loadSchemas().inlined(spec.valueType));
    try {
      await this.requireBackward(subjectOf(topic));
      const { id } = await this.registry.register({ type: SchemaType.AVRO, schema }, { subject: subjectOf(topic) });
      return id;
    } catch (error) {
      const status = (error as { status?: number }).status;
      throw new RegistryError(`registering ${subjectOf(topic)} failed: ${(error as Error).message}`, {
        retriable: status === undefined || status >= 500,
        cause: error,
      });
    }
  }

  /**
   * Sets the subject's compatibility to BACKWARD unless it already is. Apicurio answers 409 when
   * another instance set it a moment before; the state we want is then in place.
   */
  private async requireBackward(subject: string): Promise<void> {
    const configUrl = `${this.url}/config/${encodeURIComponent(subject)}`;
    const current = await fetch(configUrl);
    if (current.ok && ((await current.json()) as { compatibilityLevel?: string }).compatibilityLevel === COMPATIBILITY.BACKWARD) return;
    const res = await fetch(configUrl, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ compatibility: COMPATIBILITY.BACKWARD }),
    });
    if (!res.ok && res.status !== 409) throw Object.assign(new Error(`PUT ${configUrl} answered ${res.status}: ${await res.text()}`), { status: res.status });
  }

  async encode<T extends TopicSpec>(spec: T, value: ValueOf<T>): Promise<Buffer> {
    const id = await this.register(spec);
    try {
      return await this.registry.encode(id, value);
    } catch (error) {
      throw new EncodeError(topicName(spec, this.namespace), (error as Error).message, error);
    }
  }

  async decode<T extends TopicSpec>(spec: T, buffer: Buffer): Promise<ValueOf<T>> {
    const topic = topicName(spec, this.namespace);
    if (buffer.length < 5 || buffer[0] !== 0) throw new DecodeError(topic, 'not in the Confluent wire format (magic byte 0 + schema id)');
    try {
      return (await this.registry.decode(buffer)) as ValueOf<T>;
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === undefined && /ECONNREFUSED|fetch failed|socket/i.test(String((error as Error).message))) {
        throw new RegistryError(`schema registry unreachable while decoding from ${topic}`, { retriable: true, cause: error });
      }
      throw new DecodeError(topic, (error as Error).message, error);
    }
  }
}
