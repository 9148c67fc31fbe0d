import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, Module, Parameter, Linear, LayerNorm, Embedding, Dropout, ModulePathError } from '../index';
import { cloneModule } from './clone';

class Attention extends Module {
  query = new Linear(4, 4);
  key = new Linear(4, 4);
}
class Layer extends Module {
  attention = new Attention();
  LayerNorm = new LayerNorm(4, 1e-12);
  dropout = new Dropout(0.1);
}
class Encoder extends Module {
  layer = [new Layer(), new Layer()];
}
class Tiny extends Module {
  embeddings = new Embedding(10, 4);
  encoder = new Encoder();
  classifier = new Linear(4, 2);
  _scratch = new Linear(4, 4); // private: not walked
  config = { hidden: 4 };
}

describe('Module tree', () => {
  beforeAll(() => initBackend('cpu'));

  it('names parameters with Hugging Face dotted paths in declaration order', () => {
    const m = new Tiny();
    expect(m.namedParameters().map(([n]) => n)).toEqual([
      'embeddings.weight',
      'encoder.layer.0.attention.query.weight',
      'encoder.layer.0.attention.query.bias',
      'encoder.layer.0.attention.key.weight',
      'encoder.layer.0.attention.key.bias',
      'encoder.layer.0.LayerNorm.weight',
      'encoder.layer.0.LayerNorm.bias',
      'encoder.layer.1.attention.query.weight',
      'encoder.layer.1.attention.query.bias',
      'encoder.layer.1.attention.key.weight',
      'encoder.layer.1.attention.key.bias',
      'encoder.layer.1.LayerNorm.weight',
      'encoder.layer.1.LayerNorm.bias',
      'classifier.weight',
      'classifier.bias',
    ]);
    expect(m.namedModules().map(([n]) => n)).toContain('encoder.layer.1.attention.key');
    expect(m.namedModules()[0]).toEqual(['', m]);
    m.dispose();
  });

  it('finds, replaces and reports sub-modules by path', () => {
    const m = new Tiny();
    const q = m.getSubmodule('encoder.layer.1.attention.query');
    expect(q).toBe(m.encoder.layer[1]!.attention.query);
    expect(m.getParameter('encoder.layer.0.LayerNorm.bias')).toBe(m.encoder.layer[0]!.LayerNorm.bias);
    const replacement = new Linear(4, 4, { bias: false });
    const old = m.replaceModule('encoder.layer.1.attention.query', replacement);
    expect(old).toBe(q);
    expect(m.encoder.layer[1]!.attention.query).toBe(replacement);
    expect(m.namedParameters().map(([n]) => n)).not.toContain('encoder.layer.1.attention.query.bias');
    const newLayer = new Layer();
    m.replaceModule('encoder.layer.0', newLayer);
    expect(m.encoder.layer[0]).toBe(newLayer);
    expect(() => m.getSubmodule('encoder.layer.5')).toThrow(ModulePathError);
    expect(() => m.getSubmodule('encoder.layer.0.attention.value')).toThrow(/no child "value" in encoder\.layer\.0\.attention \(Attention\); available: query, key/);
    expect(() => m.getSubmodule('classifier.weight')).toThrow(/is a parameter, not a module/);
    expect(() => m.getSubmodule('nope')).toThrow(/available: embeddings, encoder, classifier/);
    m.dispose();
    old.dispose();
  });

  it('train()/eval() reach every descendant; freeze/unfreeze by predicate; counts', () => {
    const m = new Tiny();
    m.eval();
    expect(m.namedModules().every(([, x]) => !x.training)).toBe(true);
    m.train();
    expect(m.encoder.layer[1]!.dropout.training).toBe(true);
    expect(m.freeze()).toBe(15);
    expect(m.unfreeze((n) => n.includes('LayerNorm'))).toBe(4);
    expect(m.trainableParameters().map(([n]) => n)).toEqual([
      'encoder.layer.0.LayerNorm.weight',
      'encoder.layer.0.LayerNorm.bias',
      'encoder.layer.1.LayerNorm.weight',
      'encoder.layer.1.LayerNorm.bias',
    ]);
    expect(m.encoder.layer[0]!.LayerNorm.weight.variable.trainable).toBe(true);
    expect(m.classifier.weight.variable.trainable).toBe(false);
    m.dispose();
  });

  it('two copies live in one process: distinct variables, independent values', () => {
    const a = new Tiny();
    const b = new Tiny();
    const names = new Set([...a.parameters(), ...b.parameters()].map((p) => p.variable.name));
    expect(names.size).toBe(30);
    a.classifier.bias!.assign(tf.ones([2]));
    expect(Array.from(b.classifier.bias!.value.dataSync())).not.toEqual([1, 1]);
    a.dispose();
    b.dispose();
  });

  it('a parameter shared by two modules (tied weights) is listed once', () => {
    class Tied extends Module {
      emb = new Embedding(5, 3);
      head = new Linear(3, 5, { bias: false });
      constructor() {
        super();
        this.head.weight.dispose();
        this.head.weight = this.emb.weight;
      }
    }
    const t = new Tied();
    expect(t.namedParameters().map(([n]) => n)).toEqual(['emb.weight']);
    t.dispose();
  });

  it('a parameter owns its initial tensor: creating and disposing modules leaves no tensor behind', () => {
    const before = tf.memory().numTensors;
    const p = new Parameter(tf.zeros([4]));
    expect(tf.memory().numTensors).toBe(before + 1);
    p.dispose();
    const m = new Linear(8, 4);
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('Parameter.assign checks the shape and names the parameter', () => {
    const p = new Parameter(tf.zeros([2, 3]));
    expect(() => p.assign(tf.zeros([3, 2]), 'encoder.x.weight')).toThrow(/encoder\.x\.weight expected \[2,3\], got \[3,2\]/);
    p.dispose();
  });
});

describe('cloneModule', () => {
  it('copies values into new parameters of the same class, shared parameters stay shared', async () => {
    await initBackend('cpu');
    class Tied extends Module {
      a = new Linear(3, 2);
      b = new Linear(3, 2);
      constructor() {
        super();
        this.b.weight.dispose();
        this.b.weight = this.a.weight;
      }
    }
    const t = new Tied();
    t.a.bias!.requiresGrad = false;
    const c = cloneModule(t);
    expect(c).toBeInstanceOf(Tied);
    expect(c.a.weight).not.toBe(t.a.weight);
    expect(c.b.weight).toBe(c.a.weight);
    expect(c.a.bias!.requiresGrad).toBe(false);
    expect(Array.from(await c.a.weight.value.data())).toEqual(Array.from(await t.a.weight.value.data()));
    c.a.weight.assign(tf.zerosLike(c.a.weight.value));
    expect(Array.from(await t.a.weight.value.data())).not.toEqual([0, 0, 0, 0, 0, 0]);
    t.dispose();
    c.dispose();
  });
});
