/** Department names for codes, loaded once per page load. */
import { useEffect, useState } from 'react';
import { get } from '../api';
import type { Department } from '../types';

let cache: Promise<Department[]> | undefined;

export function loadDepartments(): Promise<Department[]> {
  cache ??= get<{ departments: Department[] }>('/api/views/departments').then((r) => r.departments, (e: unknown) => {
    cache = undefined;
    throw e;
  });
  return cache;
}

export function useDepartments(): Department[] {
  const [list, setList] = useState<Department[]>([]);
  useEffect(() => {
    let live = true;
    loadDepartments().then((d) => live && setList(d), () => undefined);
    return () => {
      live = false;
    };
  }, []);
  return list;
}

export function deptName(list: Department[], code: string | undefined | null): string {
  if (!code) return '—';
  return list.find((d) => d.code === code)?.name ?? code;
}
