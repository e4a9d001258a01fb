"""Stage 5 (and 2): evaluate a model honestly, compare it with its base, pick a base model.

* :mod:`.metrics`: nDCG@10, MRR@10, Recall@k, MAP@100, accuracy@1 from rankings and qrels;
* :mod:`.beir`: load and check a folder in BEIR layout;
* :mod:`.retrieval`: embed, rank the whole corpus in bounded memory, score;
* :mod:`.triplets`: triplet accuracy with sentence-transformers' ``TripletEvaluator``;
* :mod:`.titles`: the titles view of a held-back split (its postings' titles as queries);
* :mod:`.user_queries`: the user's own queries (``--eval-queries``), checked against the corpus;
* :mod:`.model_eval`: a model on a prepared split or a BEIR folder, against a base model;
* :mod:`.select`: the leaderboard of candidate base models;
* :mod:`.report`: report.md / report.html with plots, and the model card;
* :mod:`.writer`: all an evaluation leaves on disk (report, evaluation.json, model card).
"""

from __future__ import annotations

from embedtune.evaluate.beir import BeirData, document_text, load_beir
from embedtune.evaluate.metrics import METRIC_NAMES, recall_curve, retrieval_metrics
from embedtune.evaluate.model_eval import (
    EvalSets,
    EvaluateConfig,
    Evaluation,
    ModelEvaluation,
    deltas,
    evaluate,
    evaluate_sets,
    load_sets,
)
from embedtune.evaluate.report import write_model_card, write_report
from embedtune.evaluate.retrieval import RetrievalResult, evaluate_retrieval, score_retrieval
from embedtune.evaluate.select import (
    Candidate,
    Leaderboard,
    SelectConfig,
    rank_candidates,
    select_models,
    write_leaderboard,
)
from embedtune.evaluate.triplets import load_triplets, triplet_accuracy
from embedtune.evaluate.writer import write_evaluation

__all__ = [
    "METRIC_NAMES",
    "BeirData",
    "Candidate",
    "EvalSets",
    "EvaluateConfig",
    "Evaluation",
    "Leaderboard",
    "ModelEvaluation",
    "RetrievalResult",
    "SelectConfig",
    "deltas",
    "document_text",
    "evaluate",
    "evaluate_retrieval",
    "evaluate_sets",
    "load_beir",
    "load_sets",
    "load_triplets",
    "rank_candidates",
    "recall_curve",
    "retrieval_metrics",
    "score_retrieval",
    "select_models",
    "triplet_accuracy",
    "write_evaluation",
    "write_leaderboard",
    "write_model_card",
    "write_report",
]
