"use client";

import { useCallback, useRef, useState, type ComponentType, type FocusEvent, type KeyboardEvent, type MouseEvent, type PointerEvent } from "react";

/** What a header menu's trigger needs while its menu has not loaded: the first sign the person
 * means to use it (pointer over it, keyboard focus) starts the load; a press before the menu is
 * there opens it once it arrives. */
export interface LazyMenuTrigger {
  "aria-haspopup": "menu";
  "aria-expanded": boolean;
  onPointerEnter: () => void;
  onFocus: (event: FocusEvent<HTMLElement>) => void;
  onPointerDown: (event: PointerEvent) => void;
  onKeyDown: (event: KeyboardEvent) => void;
  onClick: (event: MouseEvent) => void;
}

export interface LazyMenu<P> {
  /** The loaded menu component, or null until it is there. */
  Menu: ComponentType<P> | null;
  open: boolean;
  setOpen: (open: boolean) => void;
  trigger: LazyMenuTrigger;
  /** The ref for the loaded menu's trigger: it takes the focus the placeholder had when the
   * menu arrived (the placeholder leaves the page then, and its focus would go to the body). */
  triggerRef: (element: HTMLElement | null) => void;
}

/** The header's menus (Radix's menu with its popper, some 14 KB gzipped) load on intent instead
 * of with every workspace route's JavaScript. `load` resolves to the menu component, which takes
 * `open` and `onOpenChange` from the caller (so a press made while it loaded is kept). */
export function useLazyMenu<P>(load: () => Promise<ComponentType<P>>): LazyMenu<P> {
  const [Menu, setMenu] = useState<ComponentType<P> | null>(null);
  const [open, setOpen] = useState(false);
  const started = useRef(false);
  const placeholder = useRef<HTMLElement | null>(null);
  const refocus = useRef(false);
  const start = useCallback(() => {
    if (started.current) return;
    started.current = true;
    load().then(
      (component) => {
        // Asked when the menu arrives, not tracked with blur: the browser may blur the
        // placeholder as React removes it, before the new trigger is attached.
        refocus.current = placeholder.current !== null && placeholder.current === document.activeElement;
        setMenu(() => component);
      },
      () => {
        // A failed chunk load (offline, a deploy replaced it): the next intent tries again.
        started.current = false;
      },
    );
  }, [load]);
  const trigger: LazyMenuTrigger = {
    "aria-haspopup": "menu",
    "aria-expanded": false,
    onPointerEnter: start,
    onFocus: (event) => {
      placeholder.current = event.currentTarget;
      start();
    },
    onPointerDown: (event) => {
      if (event.button !== 0 || event.ctrlKey) return;
      setOpen(true);
      start();
    },
    onKeyDown: (event) => {
      if (event.key !== "Enter" && event.key !== " " && event.key !== "ArrowDown") return;
      event.preventDefault();
      setOpen(true);
      start();
    },
    // A click with no pointer or key before it (detail 0: a screen reader's activation).
    onClick: (event) => {
      if (event.detail !== 0) return;
      setOpen(true);
      start();
    },
  };
  const triggerRef = useCallback((element: HTMLElement | null) => {
    if (element === null || !refocus.current) return;
    refocus.current = false;
    // No scroll: the header is where the person already is.
    element.focus({ preventScroll: true });
  }, []);
  return { Menu, open, setOpen, trigger, triggerRef };
}
