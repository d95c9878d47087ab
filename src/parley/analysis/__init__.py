"""Analyses that run models many times or interpret their output: backtests against known outcomes."""

from parley.analysis.backtest import BASELINES, DEFAULT_MODELS, BacktestResult, ModelScore, backtest_deu

__all__ = ["BASELINES", "DEFAULT_MODELS", "BacktestResult", "ModelScore", "backtest_deu"]
