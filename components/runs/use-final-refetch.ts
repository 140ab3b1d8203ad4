"use client";
import { useEffect, useRef } from "react";

/** Polling stops when a run finishes; one more read picks up the points logged between the last poll and the end. */
export function useFinalRefetch(live: boolean, refetch: () => unknown) {
  const wasLive = useRef(live);
  useEffect(() => {
    if (wasLive.current && !live) refetch();
    wasLive.current = live;
  }, [live, refetch]);
}
