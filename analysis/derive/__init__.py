"""What the observations imply: growth per segment, peer windows, plan paths and trends, plausibility flags and
the cross-level table, target versus actual, the backtest; plausibility runs the judging stage in order."""
