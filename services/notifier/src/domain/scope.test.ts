import { describe, expect, it } from 'vitest';
import { mayAct, type Viewer } from './scope.ts';

const viewer = (csmId: string, role: Viewer['role'], team: string | null = null): Viewer => ({ csmId, role, team });

describe('who may act for an account or a CSM', () => {
  const bobsAccount = { csmId: 'bob', teams: ['emea'] };
  it.each([
    ['the owner', viewer('bob', 'csm'), true],
    ['another CSM (the previous owner)', viewer('alice', 'csm'), false],
    ['a CSM whose token names a team', viewer('alice', 'csm', 'emea'), false],
    ['a manager without a team', viewer('boss', 'manager'), true],
    ['a manager of the account’s team', viewer('boss', 'manager', 'emea'), true],
    ['a manager of another team', viewer('boss', 'manager', 'amer'), false],
    ['an admin', viewer('root', 'admin', 'amer'), true],
  ])('%s: %s', (_who, v, allowed) => {
    expect(mayAct(v, bobsAccount)).toBe(allowed);
  });

  it('does not give a team manager an account whose team is unknown', () => {
    expect(mayAct(viewer('boss', 'manager', 'emea'), { csmId: 'carol', teams: [] })).toBe(false);
    expect(mayAct(viewer('boss', 'manager'), { csmId: 'carol', teams: [] })).toBe(true);
  });
});
