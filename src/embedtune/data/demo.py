"""A built-in demo corpus: synthetic AI and data job postings with gold search queries.

`generate_demo_corpus` writes postings the way job boards actually serve them: role content
(an intro, responsibilities, requirements, nice-to-haves, sometimes a tech-stack line) wrapped in
boilerplate a cleaner has to remove (company blurbs, benefits, pay-transparency and
equal-opportunity statements, application instructions, recruiter and aggregator preambles), in
HTML, markdown-ish or plain text, with the odd non-breaking or zero-width space. Companies post
several roles with the same boilerplate, and some postings are reposted with small edits, so
cleaning and near-duplicate detection have something real to do.

Every original posting gets one or two short, human-style search queries built from its facets
(role, seniority, skills, industry, location), phrased with synonyms rather than copied from the
text ("sr mle torch fintech remote"); they are the gold labels for retrieval benchmarks.

All text is written for embedtune; nothing is copied from real postings, and company, agency and
board names are invented. Only a local `random.Random(seed)` is used: the same seed gives the same
corpus.

>>> corpus = generate_demo_corpus(20, seed=1)
>>> len(corpus.postings)  # 20 originals + round(0.08 * 20) reposts
22
>>> sorted(corpus.postings[0])
['company', 'description', 'id', 'industry', 'location', 'repost_of', 'seniority', 'skills', 'title']
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal, TypeVar

from embedtune.errors import EmbedtuneError

__all__ = [
    "INDUSTRIES",
    "ROLE_FAMILIES",
    "SENIORITY_YEARS",
    "SKILL_ALIASES",
    "DemoCorpus",
    "Industry",
    "RoleFamily",
    "generate_demo_corpus",
]

Seniority = Literal["junior", "mid", "senior", "staff", "lead", "principal"]
WorkMode = Literal["remote", "hybrid", "on-site"]
TextFormat = Literal["html", "markdown", "plain"]
Channel = Literal["direct", "aggregator", "recruiter"]

_K = TypeVar("_K")
_T = TypeVar("_T")


@dataclass(frozen=True)
class DemoCorpus:
    """Postings (originals and reposts, shuffled) and gold queries for the originals.

    Posting keys: id, title, company, location, description, seniority, industry, skills
    (comma-separated canonical names), repost_of ("" for originals). Query keys: query_id,
    query, posting_id.
    """

    postings: list[dict[str, str]]
    queries: list[dict[str, str]]


# --------------------------------------------------------------------------------------------
# Skills: canonical name -> other ways people write it (queries and postings pick either).
# --------------------------------------------------------------------------------------------

SKILL_ALIASES: dict[str, tuple[str, ...]] = {
    "Python": (),
    "SQL": ("advanced SQL",),
    "R": ("RStudio", "tidyverse"),
    "Scala": (),
    "Java": (),
    "Go": ("Golang",),
    "C++": ("modern C++",),
    "TypeScript": ("TS",),
    "Git": ("version control",),
    "Linux": (),
    "Pandas": ("dataframes",),
    "PyTorch": ("torch", "pytorch"),
    "TensorFlow": ("TF", "Keras"),
    "JAX": (),
    "scikit-learn": ("sklearn", "scikit learn"),
    "XGBoost": ("gradient boosting", "GBMs"),
    "deep learning": ("DL", "neural networks"),
    "statistics": ("statistical modeling", "stats"),
    "A/B testing": ("experimentation", "AB testing", "online experiments"),
    "causal inference": ("uplift modeling", "causal methods"),
    "Bayesian modeling": ("Bayesian methods", "PyMC"),
    "time series forecasting": ("forecasting", "time-series models"),
    "recommender systems": ("recsys", "recommendations"),
    "optimization": ("operations research", "linear programming"),
    "reinforcement learning": ("RL",),
    "NLP": ("natural language processing", "text mining"),
    "spaCy": (),
    "Hugging Face Transformers": ("Hugging Face", "HF transformers", "transformers library"),
    "LLMs": ("large language models", "LLM", "GenAI models"),
    "fine-tuning": ("finetuning", "fine tuning", "LoRA"),
    "RAG": ("retrieval-augmented generation", "retrieval augmented generation"),
    "prompt engineering": ("prompting", "prompt design"),
    "LangChain": ("LlamaIndex",),
    "LLM evaluation": ("LLM evals", "evals"),
    "agents": ("AI agents", "agentic workflows", "tool calling"),
    "embeddings": ("vector embeddings", "text embeddings"),
    "vector databases": ("vector DBs", "vector stores", "pgvector"),
    "semantic search": ("vector search", "dense retrieval"),
    "Elasticsearch": ("OpenSearch",),
    "computer vision": ("vision models", "image understanding"),
    "OpenCV": (),
    "object detection": ("detection models", "YOLO"),
    "image segmentation": ("segmentation models",),
    "CUDA": ("GPU programming",),
    "TensorRT": (),
    "ONNX": ("ONNX Runtime",),
    "distributed training": ("multi-GPU training", "DeepSpeed", "FSDP"),
    "Spark": ("PySpark", "Apache Spark"),
    "Airflow": ("Apache Airflow",),
    "dbt": ("data build tool", "dbt Core"),
    "Snowflake": (),
    "BigQuery": ("Google BigQuery",),
    "Databricks": (),
    "Kafka": ("Apache Kafka", "event streaming"),
    "Flink": ("Apache Flink",),
    "Trino": ("Presto",),
    "Iceberg": ("Apache Iceberg",),
    "Delta Lake": ("lakehouse",),
    "ETL": ("ELT", "data pipelines"),
    "data modeling": ("dimensional modeling", "star schemas"),
    "data quality": ("data observability", "Great Expectations"),
    "PostgreSQL": ("Postgres",),
    "Kubernetes": ("k8s", "K8s"),
    "Docker": ("containers", "containerization"),
    "Terraform": ("infrastructure as code", "IaC"),
    "CI/CD": ("continuous integration", "GitHub Actions"),
    "AWS": ("Amazon Web Services",),
    "GCP": ("Google Cloud", "Google Cloud Platform"),
    "Azure": ("Microsoft Azure",),
    "MLflow": ("experiment tracking",),
    "Kubeflow": ("Kubeflow Pipelines",),
    "SageMaker": ("Amazon SageMaker", "AWS SageMaker"),
    "Ray": ("Ray Serve",),
    "feature stores": ("feature store", "Feast"),
    "model monitoring": ("ML observability", "drift detection"),
    "FastAPI": ("REST APIs",),
    "Tableau": (),
    "Power BI": ("PowerBI", "DAX"),
    "Looker": ("LookML",),
    "Excel": ("spreadsheets", "advanced Excel"),
    "data visualization": ("dataviz", "data viz"),
    "event analytics": ("Amplitude", "Mixpanel"),
}


# --------------------------------------------------------------------------------------------
# Role families.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleFamily:
    """One kind of job: how it is titled and searched for, and what its postings say.

    Templates use the slots {problem}, {problem2}, {objects}, {text}, {vision}, {users},
    {company}, {team}; `skills` and `extra_skills` are keys of `SKILL_ALIASES`.
    """

    titles: tuple[str, ...]
    aliases: tuple[str, ...]  # how job seekers name the role in a search box
    teams: tuple[str, ...]
    missions: tuple[str, ...]  # verb phrases: "to <mission>"
    duties: tuple[str, ...]
    requirements: tuple[str, ...]
    experience: tuple[str, ...]  # "<n>+ years of experience in <experience>"
    skills: tuple[str, ...]
    extra_skills: tuple[str, ...]
    degrees: tuple[str, ...]
    focuses: tuple[str, ...]  # title suffixes: "Senior Data Scientist, Pricing"
    weight: float = 1.0
    needs_vision: bool = False  # only industries with image problems hire for it
    hires_junior: bool = True


ROLE_FAMILIES: dict[str, RoleFamily] = {
    "data_scientist": RoleFamily(
        titles=("Data Scientist",),
        aliases=("data scientist", "data science", "ds"),
        teams=("Data Science", "Decision Science", "Insights & Data Science"),
        missions=(
            "turn our {objects} data into models and analyses that improve {problem}",
            "lead the modeling work behind {problem}",
            "help the business make better decisions about {problem} using data",
        ),
        duties=(
            "Build, validate, and ship predictive models for {problem}",
            "Design and analyze experiments to measure the impact of product and policy changes",
            "Partner with product managers and engineers to frame ambiguous questions as measurable problems",
            "Explore {objects} data to find the drivers of key business metrics",
            "Define success metrics and build the analyses that track them",
            "Translate model results into clear recommendations for non-technical stakeholders",
            "Work with data engineering to improve the quality and availability of training data",
            "Monitor deployed models for drift and retrain them when performance degrades",
            "Contribute to our work on {problem2}",
        ),
        requirements=(
            "Solid grounding in statistics: hypothesis testing, regression, and sampling",
            "Ability to explain technical trade-offs to business stakeholders",
            "Experience taking a model from exploratory analysis to production",
            "Comfort with ambiguity and a bias toward simple solutions that work",
        ),
        experience=("data science or applied statistics", "building predictive models"),
        skills=("Python", "SQL", "scikit-learn", "XGBoost", "statistics", "A/B testing", "Pandas"),
        extra_skills=(
            "causal inference",
            "Spark",
            "Bayesian modeling",
            "time series forecasting",
            "Snowflake",
            "Airflow",
            "Tableau",
            "R",
        ),
        degrees=(
            "BS/MS in Statistics, Computer Science, Economics, or a related quantitative field",
            "Master's or PhD in a quantitative discipline, or equivalent experience",
        ),
        focuses=("Experimentation", "Pricing", "Risk", "Growth"),
        weight=1.4,
    ),
    "data_engineer": RoleFamily(
        titles=("Data Engineer",),
        aliases=("data engineer", "data engineering", "etl developer"),
        teams=("Data Engineering", "Data Infrastructure", "Core Data"),
        missions=(
            "build the pipelines that move {objects} data from source systems into our warehouse",
            "make reliable, well-modeled data available for {problem}",
            "own the batch and streaming pipelines that power {problem}",
        ),
        duties=(
            "Design, build, and maintain batch and streaming data pipelines",
            "Model raw {objects} data into clean, documented tables for analytics and machine learning",
            "Own data quality checks, alerting, and on-call for critical pipelines",
            "Optimize warehouse cost and query performance",
            "Work with upstream engineering teams on event schemas and data contracts",
            "Migrate legacy cron jobs to a modern orchestration framework",
            "Support data scientists with feature pipelines for {problem}",
            "Document datasets so that analysts can find and trust them",
        ),
        requirements=(
            "Strong software engineering fundamentals: testing, code review, and version control",
            "Experience designing schemas for analytical workloads",
            "A track record of running pipelines reliably in production",
        ),
        experience=("data engineering", "building production data pipelines"),
        skills=("Python", "SQL", "Spark", "Airflow", "ETL", "Snowflake", "Kafka", "data modeling"),
        extra_skills=(
            "dbt",
            "Scala",
            "Terraform",
            "AWS",
            "GCP",
            "Databricks",
            "Iceberg",
            "Flink",
            "data quality",
            "Trino",
        ),
        degrees=("BS in Computer Science, Engineering, or equivalent experience",),
        focuses=("Streaming", "Ingestion", "Analytics Platform"),
        weight=1.3,
    ),
    "ml_engineer": RoleFamily(
        titles=("Machine Learning Engineer", "ML Engineer"),
        aliases=("ml engineer", "machine learning engineer", "mle", "ml eng"),
        teams=("Machine Learning", "Applied ML", "Ranking", "ML Products"),
        missions=(
            "take models for {problem} from prototype to production",
            "build and operate the ML systems behind {problem}",
            "design, train, and deploy models that improve {problem} at scale",
        ),
        duties=(
            "Train, evaluate, and deploy models for {problem}",
            "Build feature pipelines and training workflows that are reproducible and tested",
            "Serve models behind low-latency APIs and own their performance in production",
            "Set up offline evaluation and online experiments for new models",
            "Collaborate with data scientists to productionize research prototypes",
            "Improve training and inference efficiency, from data loading to GPU utilization",
            "Monitor models in production and close the loop with retraining",
            "Write design docs and review code from other engineers",
            "Contribute to our work on {problem2}",
        ),
        requirements=(
            "Strong engineering skills and experience writing production-quality code",
            "Understanding of ML fundamentals: bias and variance, regularization, evaluation metrics",
            "Experience owning a model end to end, from data to deployment",
        ),
        experience=("machine learning engineering", "shipping ML systems to production"),
        skills=(
            "Python",
            "PyTorch",
            "scikit-learn",
            "Docker",
            "Kubernetes",
            "AWS",
            "MLflow",
            "deep learning",
        ),
        extra_skills=(
            "TensorFlow",
            "Spark",
            "Ray",
            "feature stores",
            "recommender systems",
            "GCP",
            "model monitoring",
            "ONNX",
            "FastAPI",
            "LLMs",
        ),
        degrees=("BS/MS in Computer Science or a related field, or equivalent experience",),
        focuses=("Ranking", "Personalization", "Fraud", "Search"),
        weight=1.4,
    ),
    "ai_engineer": RoleFamily(
        titles=("AI Engineer", "Applied AI Engineer"),
        aliases=("ai engineer", "applied ai engineer", "ai developer"),
        teams=("AI", "Applied AI", "AI Products"),
        missions=(
            "build AI features that help {users} with {problem}",
            "bring LLMs and classical ML into the products our customers use for {problem}",
            "ship AI-powered workflows that automate the busywork around {problem}",
        ),
        duties=(
            "Design and ship AI-powered product features end to end, from prototype to production",
            "Build retrieval pipelines over {text} and measure answer quality",
            "Integrate hosted and open-weight models behind reliable, observable APIs",
            "Create evaluation sets and automated checks for model outputs",
            "Work closely with designers and product managers to turn user problems into AI solutions",
            "Keep latency and inference cost under control as usage grows",
            "Add guardrails for safety, privacy, and hallucinations",
            "Talk to {users} regularly to understand where AI actually saves them time",
        ),
        requirements=(
            "Solid backend engineering experience: APIs, databases, testing",
            "Practical experience shipping LLM-based features to real users",
            "Good judgment about when a simple heuristic beats a model",
        ),
        experience=(
            "software engineering, including AI/ML features",
            "building AI-powered products",
        ),
        skills=(
            "Python",
            "LLMs",
            "RAG",
            "prompt engineering",
            "FastAPI",
            "vector databases",
            "LangChain",
            "AWS",
        ),
        extra_skills=(
            "fine-tuning",
            "agents",
            "LLM evaluation",
            "Docker",
            "Kubernetes",
            "embeddings",
            "PostgreSQL",
            "TypeScript",
        ),
        degrees=("BS in Computer Science or equivalent practical experience",),
        focuses=("Copilot", "Agents", "Platform"),
        weight=1.0,
    ),
    "llm_engineer": RoleFamily(
        titles=("LLM Engineer", "Generative AI Engineer", "GenAI Engineer"),
        aliases=("llm engineer", "genai engineer", "generative ai engineer", "gen ai engineer"),
        teams=("Generative AI", "LLM Platform", "Foundation Models"),
        missions=(
            "fine-tune and deploy large language models for {problem}",
            "build the LLM systems that read {text} and support {problem}",
            "own our generative AI stack, from retrieval to fine-tuning and evaluation",
        ),
        duties=(
            "Fine-tune open-weight language models on domain data and measure the gains",
            "Build retrieval-augmented generation pipelines over {text}",
            "Design evaluation harnesses that catch regressions before they reach users",
            "Optimize inference with quantization, batching, and caching",
            "Curate and label training data, including synthetic data generation",
            "Prototype agentic workflows and tool use for {problem}",
            "Stay current with research and turn promising ideas into experiments",
            "Partner with product teams to decide where generative AI is and isn't the right tool",
        ),
        requirements=(
            "Deep understanding of transformer architectures and their failure modes",
            "Experience running fine-tuning or training jobs on GPUs",
            "A rigorous, evaluation-first approach to LLM development",
        ),
        experience=("machine learning, including recent work with LLMs", "NLP or LLM engineering"),
        skills=(
            "Python",
            "PyTorch",
            "LLMs",
            "fine-tuning",
            "RAG",
            "Hugging Face Transformers",
            "LLM evaluation",
            "embeddings",
        ),
        extra_skills=(
            "distributed training",
            "vector databases",
            "agents",
            "CUDA",
            "Kubernetes",
            "prompt engineering",
            "reinforcement learning",
            "GCP",
            "ONNX",
        ),
        degrees=("MS or PhD in Computer Science or a related field, or equivalent experience",),
        focuses=("Fine-tuning", "Evaluation", "Inference"),
        weight=0.9,
    ),
    "analytics_engineer": RoleFamily(
        titles=("Analytics Engineer",),
        aliases=("analytics engineer", "analytics engineering", "dbt developer"),
        teams=("Analytics", "Data", "Business Analytics"),
        missions=(
            "build the trusted data models behind our {problem} reporting",
            "turn raw {objects} data into clean, tested models that analysts can use",
            "own the semantic layer that finance, product, and operations rely on",
        ),
        duties=(
            "Build and maintain transformation models that turn raw data into clean, documented tables",
            "Define and document core business metrics with stakeholders",
            "Write tests and data quality checks for critical models",
            "Partner with data engineers on ingestion and with analysts on reporting needs",
            "Improve the performance and cost of warehouse queries",
            "Build self-serve datasets and dashboards for {users}",
            "Review pull requests and champion analytics engineering best practices",
        ),
        requirements=(
            "Expert-level SQL, including window functions and query tuning",
            "Experience applying software engineering practices to analytics: version control, CI, code review",
            "Strong communication skills and attention to detail",
        ),
        experience=("analytics engineering or BI development", "data modeling and analytics"),
        skills=("SQL", "dbt", "Snowflake", "data modeling", "Looker", "Git", "Python"),
        extra_skills=("BigQuery", "Airflow", "Tableau", "data quality", "Power BI", "CI/CD"),
        degrees=("Bachelor's degree in a quantitative field or equivalent experience",),
        focuses=("Finance", "Product", "Revenue"),
        weight=0.8,
    ),
    "mlops_engineer": RoleFamily(
        titles=("MLOps Engineer", "ML Platform Engineer", "ML Infrastructure Engineer"),
        aliases=("mlops engineer", "mlops", "ml platform engineer", "ml infrastructure engineer"),
        teams=("ML Platform", "ML Infrastructure", "MLOps"),
        missions=(
            "build the platform our data scientists use to train, deploy, and monitor models for {problem}",
            "make model training and deployment fast, reliable, and boring",
            "own the infrastructure that serves our models in production",
        ),
        duties=(
            "Build and maintain pipelines for automated model training and deployment",
            "Run and scale model serving infrastructure",
            "Own the model registry, experiment tracking, and feature store",
            "Automate monitoring for data drift, model performance, and latency",
            "Manage GPU capacity and keep training costs in check",
            "Document platform best practices and run internal workshops",
            "Support data scientists in moving models from notebooks to production",
        ),
        requirements=(
            "Strong background in DevOps or site reliability engineering",
            "Experience supporting ML workloads in production",
            "Comfort with on-call rotations and incident response",
        ),
        experience=("DevOps, SRE, or ML infrastructure", "MLOps or platform engineering"),
        skills=(
            "Kubernetes",
            "Docker",
            "Terraform",
            "AWS",
            "MLflow",
            "CI/CD",
            "Python",
            "Kubeflow",
        ),
        extra_skills=(
            "SageMaker",
            "Ray",
            "model monitoring",
            "feature stores",
            "GCP",
            "Azure",
            "Go",
            "Airflow",
            "Linux",
        ),
        degrees=("BS in Computer Science, Engineering, or equivalent experience",),
        focuses=("Serving", "Training Infrastructure"),
        weight=0.8,
    ),
    "research_scientist": RoleFamily(
        titles=(
            "Research Scientist",
            "Machine Learning Research Scientist",
            "AI Research Scientist",
        ),
        aliases=("research scientist", "ml researcher", "ai research scientist", "ai researcher"),
        teams=("Research", "AI Research", "ML Research"),
        missions=(
            "push the frontier of the models behind {problem}",
            "develop new learning methods for {text} and publish when it makes sense",
            "run rigorous research on representation learning and bring it to {problem}",
        ),
        duties=(
            "Develop novel machine learning methods and validate them with careful experiments",
            "Read, reproduce, and extend results from recent papers",
            "Publish at top venues (NeurIPS, ICML, ICLR, ACL, CVPR) when the work is ready",
            "Collaborate with engineers to transfer research into production systems for {problem}",
            "Design large-scale training runs and analyze their results",
            "Mentor research interns and contribute to the research agenda",
        ),
        requirements=(
            "A publication record at peer-reviewed venues",
            "Strong mathematical foundations in probability, optimization, and linear algebra",
            "The ability to turn vague research ideas into concrete, falsifiable experiments",
        ),
        experience=("machine learning research", "applied ML research"),
        skills=(
            "Python",
            "PyTorch",
            "deep learning",
            "distributed training",
            "LLMs",
            "JAX",
        ),
        extra_skills=(
            "reinforcement learning",
            "CUDA",
            "NLP",
            "computer vision",
            "Bayesian modeling",
            "causal inference",
        ),
        degrees=(
            "PhD in machine learning, computer science, statistics, or a related field",
            "PhD or equivalent research experience in machine learning",
        ),
        focuses=("Foundation Models", "Representation Learning"),
        weight=0.5,
        hires_junior=False,
    ),
    "applied_scientist": RoleFamily(
        titles=("Applied Scientist",),
        aliases=("applied scientist", "applied science", "applied ml scientist"),
        teams=("Applied Science", "Science", "Marketplace Science"),
        missions=(
            "combine science and engineering to improve {problem}",
            "build models that shape decisions about {objects}",
            "own the science behind {problem}, from problem formulation to launch",
        ),
        duties=(
            "Formulate business problems as machine learning or optimization problems",
            "Build and launch models that move key metrics for {problem}",
            "Run offline experiments and online tests to validate improvements",
            "Write production code alongside engineers, not just prototypes",
            "Write up findings in clear documents for science and business audiences",
            "Contribute to the team's long-term science roadmap",
            "Contribute to our work on {problem2}",
        ),
        requirements=(
            "Depth in at least one area: ranking, forecasting, NLP, causal inference, or optimization",
            "Ability to write production-quality code",
            "Experience presenting results to senior business leaders",
        ),
        experience=("applied science or machine learning", "building ML models that shipped"),
        skills=(
            "Python",
            "PyTorch",
            "statistics",
            "recommender systems",
            "causal inference",
            "time series forecasting",
            "optimization",
            "SQL",
        ),
        extra_skills=(
            "Spark",
            "A/B testing",
            "deep learning",
            "reinforcement learning",
            "AWS",
            "Bayesian modeling",
        ),
        degrees=("Master's or PhD in a quantitative field, or equivalent applied experience",),
        focuses=("Pricing", "Search Relevance", "Forecasting"),
        weight=0.7,
    ),
    "bi_analyst": RoleFamily(
        titles=("Business Intelligence Analyst", "BI Analyst", "BI Developer"),
        aliases=(
            "bi analyst",
            "business intelligence analyst",
            "bi developer",
            "reporting analyst",
        ),
        teams=("Business Intelligence", "Reporting", "Finance Analytics"),
        missions=(
            "build the dashboards and reports leadership uses to manage {problem}",
            "turn {objects} data into clear, trusted reporting",
            "own self-serve reporting for {users} and business leaders",
        ),
        duties=(
            "Design, build, and maintain dashboards for operations, finance, and leadership",
            "Gather reporting requirements from stakeholders and translate them into data models",
            "Extract, join, and validate data from multiple source systems",
            "Automate recurring reports and retire manual workbooks",
            "Investigate anomalies in KPIs and explain what changed",
            "Document metric definitions and train users on self-serve tools",
        ),
        requirements=(
            "An eye for data quality and consistency",
            "Experience presenting insights to non-technical audiences",
            "Understanding of data warehousing concepts",
        ),
        experience=("business intelligence or reporting", "BI or data analysis"),
        skills=("SQL", "Tableau", "Power BI", "Excel", "data visualization", "data modeling"),
        extra_skills=("Looker", "Python", "Snowflake", "dbt", "BigQuery"),
        degrees=("Bachelor's degree in Business, Economics, Information Systems, or similar",),
        focuses=("Finance", "Operations", "Sales"),
        weight=0.7,
    ),
    "data_analyst": RoleFamily(
        titles=("Data Analyst",),
        aliases=("data analyst", "data analytics", "analyst"),
        teams=("Analytics", "Insights", "Operations Analytics"),
        missions=(
            "answer the questions that matter for {problem} with data",
            "help {users} and leadership understand what drives {problem}",
            "dig into {objects} data and turn it into decisions",
        ),
        duties=(
            "Pull and analyze data to answer ad hoc business questions",
            "Build and maintain dashboards that track team KPIs",
            "Analyze trends in {objects} and present findings to stakeholders",
            "Support experiment analysis and write up the results",
            "Clean and validate data from multiple sources",
            "Automate recurring analyses so the team can focus on new questions",
        ),
        requirements=(
            "Strong analytical thinking and attention to detail",
            "Ability to communicate findings clearly in writing and in presentations",
            "Curiosity about how the business works",
        ),
        experience=("data analysis", "analytics or a related role"),
        skills=("SQL", "Excel", "Tableau", "Python", "statistics", "data visualization"),
        extra_skills=("Power BI", "Looker", "R", "A/B testing", "BigQuery", "Pandas"),
        degrees=(
            "Bachelor's degree in a quantitative field such as math, economics, or statistics",
        ),
        focuses=("Operations", "Marketing", "Product"),
        weight=1.1,
    ),
    "nlp_engineer": RoleFamily(
        titles=("NLP Engineer", "Natural Language Processing Engineer"),
        aliases=("nlp engineer", "natural language processing engineer", "nlp ml engineer"),
        teams=("NLP", "Language AI", "Search & NLP"),
        missions=(
            "build language models that understand {text}",
            "extract structure from {text} to support {problem}",
            "own the NLP systems behind search and classification of {text}",
        ),
        duties=(
            "Build text classification, entity extraction, and search models over {text}",
            "Fine-tune transformer models and compare them against strong baselines",
            "Write annotation guidelines and manage labeling of training data",
            "Build evaluation sets that reflect real user queries and documents",
            "Deploy language models as services and monitor their quality",
            "Improve multilingual coverage and handle noisy, domain-specific text",
        ),
        requirements=(
            "Strong understanding of modern NLP: tokenization, embeddings, transformers",
            "Experience with text data that is messy, long, or domain-specific",
            "Solid engineering skills and experience deploying models",
        ),
        experience=("NLP or machine learning", "building NLP systems"),
        skills=(
            "Python",
            "NLP",
            "PyTorch",
            "Hugging Face Transformers",
            "embeddings",
            "semantic search",
            "spaCy",
        ),
        extra_skills=("LLMs", "fine-tuning", "Elasticsearch", "Docker", "AWS", "RAG"),
        degrees=(
            "MS in Computer Science, Linguistics, or a related field, or equivalent experience",
        ),
        focuses=("Search", "Information Extraction", "Conversational AI"),
        weight=0.6,
    ),
    "cv_engineer": RoleFamily(
        titles=("Computer Vision Engineer", "Computer Vision ML Engineer"),
        aliases=("computer vision engineer", "cv engineer", "vision engineer", "computer vision"),
        teams=("Computer Vision", "Perception", "Imaging"),
        missions=(
            "build vision models for {vision}",
            "own the computer vision pipeline for {vision}",
            "take image models from research to production for {vision}",
        ),
        duties=(
            "Train and evaluate detection, segmentation, and classification models for {vision}",
            "Build data pipelines for image and video collection, labeling, and augmentation",
            "Optimize models for inference on GPUs and edge devices",
            "Define metrics and test sets that reflect real-world conditions",
            "Work with hardware and product teams on camera setup and image quality",
            "Debug failure cases and close the loop with targeted data collection",
        ),
        requirements=(
            "Strong foundation in deep learning for images or video",
            "Experience shipping vision models outside of notebooks",
            "Good engineering habits: testing, profiling, and code review",
        ),
        experience=("computer vision", "deep learning for images"),
        skills=(
            "Python",
            "PyTorch",
            "computer vision",
            "OpenCV",
            "object detection",
            "image segmentation",
            "deep learning",
        ),
        extra_skills=("C++", "CUDA", "TensorRT", "ONNX", "Docker", "AWS"),
        degrees=("MS or PhD in Computer Science, Electrical Engineering, or a related field",),
        focuses=("Perception", "Document AI", "Video"),
        weight=0.6,
        needs_vision=True,
    ),
    "data_platform_engineer": RoleFamily(
        titles=("Data Platform Engineer", "Data Infrastructure Engineer"),
        aliases=("data platform engineer", "data infrastructure engineer", "big data engineer"),
        teams=("Data Platform", "Data Infrastructure"),
        missions=(
            "build the platform that every data team at {company} runs on",
            "run our lakehouse, streaming, and query infrastructure at scale",
            "make it easy and safe for teams to produce and consume data",
        ),
        duties=(
            "Operate and scale our lakehouse, streaming, and query engines",
            "Build self-service tooling for ingestion, orchestration, and access control",
            "Drive reliability through SLOs, capacity planning, and incident reviews",
            "Implement data governance, lineage, and privacy controls",
            "Reduce infrastructure cost without hurting performance",
            "Partner with data engineers and ML engineers to understand platform needs",
        ),
        requirements=(
            "Strong distributed systems fundamentals",
            "Experience running data infrastructure in a public cloud",
            "A habit of automating anything you have to do twice",
        ),
        experience=("data infrastructure or backend engineering", "platform engineering"),
        skills=("Spark", "Kafka", "Kubernetes", "Terraform", "AWS", "Iceberg", "Trino", "Python"),
        extra_skills=(
            "Flink",
            "Scala",
            "Java",
            "Go",
            "Delta Lake",
            "Databricks",
            "GCP",
            "data quality",
        ),
        degrees=("BS in Computer Science or equivalent experience",),
        focuses=("Streaming", "Lakehouse", "Governance"),
        weight=0.6,
    ),
    "product_analyst": RoleFamily(
        titles=("Product Analyst", "Product Data Analyst"),
        aliases=("product analyst", "product analytics", "growth analyst"),
        teams=("Product Analytics", "Growth"),
        missions=(
            "help product teams understand how {users} use our product",
            "measure and improve the funnel behind {problem}",
            "be the data partner for product managers working on {problem}",
        ),
        duties=(
            "Define product metrics and build the dashboards that track them",
            "Design and analyze experiments for new features",
            "Analyze user funnels, retention, and engagement",
            "Partner with product managers to shape the roadmap with data",
            "Work with engineers to instrument new features so events are tracked correctly",
            "Share insights through concise write-ups and presentations",
        ),
        requirements=(
            "Experience working closely with product and engineering teams",
            "Strong grasp of experiment design and its common pitfalls",
            "Ability to go from a vague question to a clear answer",
        ),
        experience=("product analytics or data analysis", "analytics in a product company"),
        skills=(
            "SQL",
            "A/B testing",
            "Python",
            "statistics",
            "event analytics",
            "data visualization",
        ),
        extra_skills=("Looker", "Tableau", "causal inference", "dbt", "BigQuery"),
        degrees=("Bachelor's degree in a quantitative field or equivalent experience",),
        focuses=("Growth", "Onboarding", "Monetization"),
        weight=0.6,
    ),
    "data_architect": RoleFamily(
        titles=("Data Architect", "Cloud Data Architect"),
        aliases=("data architect", "data architecture", "cloud data architect"),
        teams=("Enterprise Data", "Data Architecture"),
        missions=(
            "define how data is modeled, stored, and governed across {company}",
            "design our next-generation cloud data platform",
            "set the standards for the data models that support {problem}",
        ),
        duties=(
            "Define the target architecture for our cloud data platform",
            "Design conceptual, logical, and physical data models",
            "Set standards for data governance, security, and metadata",
            "Guide engineering teams through migrations from on-premise systems",
            "Evaluate tools and vendors and make build-versus-buy recommendations",
            "Review designs and keep architecture documentation current",
        ),
        requirements=(
            "Broad experience across databases, warehouses, and streaming systems",
            "Ability to influence senior stakeholders without direct authority",
            "Knowledge of data privacy regulations and security best practices",
        ),
        experience=("data engineering or data architecture", "data architecture"),
        skills=("data modeling", "SQL", "Snowflake", "Azure", "AWS", "Databricks", "ETL"),
        extra_skills=("Kafka", "Delta Lake", "Terraform", "data quality", "PostgreSQL"),
        degrees=("Bachelor's or Master's degree in Computer Science or Information Systems",),
        focuses=("Cloud", "Governance"),
        weight=0.5,
        hires_junior=False,
    ),
}


# --------------------------------------------------------------------------------------------
# Industries.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Industry:
    """A sector: what its companies say about themselves and what their data work is about."""

    aliases: tuple[str, ...]  # how job seekers name the sector
    suffixes: tuple[str, ...]  # company name endings
    kinds: tuple[str, ...]  # "digital lending platform"
    missions: tuple[str, ...]  # gerund phrases: "helping small businesses ..."
    users: tuple[str, ...]
    problems: tuple[str, ...]
    objects: tuple[str, ...]
    texts: tuple[str, ...]
    vision: tuple[str, ...]  # image problems; empty if none fit
    context: tuple[str, ...]  # domain sentences for the role intro
    regulations: tuple[str, ...] = ()
    weight: float = 1.0


INDUSTRIES: dict[str, Industry] = {
    "fintech": Industry(
        aliases=("fintech", "credit risk", "lending", "payments", "financial services"),
        suffixes=("Lending", "Pay", "Capital", "Credit", "Financial"),
        kinds=("digital lending platform", "payments company", "consumer credit provider"),
        missions=(
            "helping small businesses get fair, fast access to credit",
            "making everyday payments cheaper and safer",
            "building a bank account that works for people who live paycheck to paycheck",
        ),
        users=("underwriters", "risk analysts", "collections teams"),
        problems=(
            "credit risk scoring",
            "fraud detection",
            "loan underwriting",
            "collections prioritization",
            "transaction monitoring",
        ),
        objects=("loan applications", "card transactions", "repayment histories"),
        texts=("customer support chats", "bank statements", "loan documents"),
        vision=("reading checks and identity documents",),
        context=(
            "Our models decide on tens of thousands of loan applications every day, so accuracy, fairness, and explainability all matter.",
            "You'll work with risk and compliance partners to keep every model explainable to regulators.",
            "Fraud patterns change weekly; the team ships improvements on a fast cadence while keeping false positives low.",
        ),
        regulations=("Familiarity with fair-lending rules (ECOA, FCRA) and model risk management",),
        weight=1.4,
    ),
    "healthcare": Industry(
        aliases=("healthcare", "health tech", "healthtech", "clinical"),
        suffixes=("Health", "Care", "Medical", "Clinics"),
        kinds=("value-based care provider", "digital health company", "virtual care platform"),
        missions=(
            "making high-quality primary care affordable for everyone",
            "helping hospitals spend less time on paperwork and more time with patients",
            "using data to catch chronic disease earlier",
        ),
        users=("clinicians", "care coordinators", "nurses"),
        problems=(
            "patient risk stratification",
            "readmission prediction",
            "clinical documentation",
            "care gap detection",
            "hospital capacity planning",
        ),
        objects=("patient encounters", "claims and EHR records", "lab results"),
        texts=("clinical notes", "discharge summaries", "patient messages"),
        vision=("analyzing X-rays and retinal scans", "reading scanned referral forms"),
        context=(
            "You'll work with de-identified patient data under strict HIPAA controls.",
            "Clinicians review our models' output, so calibration and interpretability matter as much as accuracy.",
            "Our work directly affects care for more than two million patients.",
        ),
        regulations=("Experience with HIPAA-regulated data and standards such as FHIR or HL7",),
        weight=1.3,
    ),
    "insurance": Industry(
        aliases=("insurance", "insurtech", "claims", "p&c insurance"),
        suffixes=("Mutual", "Insurance", "Assurance", "Underwriters"),
        kinds=("property and casualty insurer", "digital insurance company", "specialty insurer"),
        missions=(
            "making insurance simple, fair, and fast to claim",
            "protecting small businesses against the unexpected",
            "helping families recover faster after an accident",
        ),
        users=("claims adjusters", "underwriters", "actuaries"),
        problems=(
            "claims triage",
            "pricing and rating",
            "claims fraud detection",
            "loss forecasting",
            "underwriting automation",
        ),
        objects=("policies", "claims", "quotes"),
        texts=("claim notes", "adjuster reports", "policy documents"),
        vision=(
            "estimating vehicle damage from claim photos",
            "assessing roof condition from aerial imagery",
        ),
        context=(
            "Our pricing models are filed with state regulators, so documentation and stability matter.",
            "Faster claim decisions mean customers get paid days sooner.",
            "You'll partner closely with actuaries and claims operations.",
        ),
        regulations=("Knowledge of rate filings or actuarial concepts such as loss ratios",),
    ),
    "e-commerce": Industry(
        aliases=("e-commerce", "ecommerce", "retail", "online marketplace"),
        suffixes=("Market", "Commerce", "Goods", "Shop"),
        kinds=("online marketplace", "direct-to-consumer retailer", "e-commerce platform"),
        missions=(
            "connecting independent makers with millions of shoppers",
            "making it easy to buy home goods online",
            "helping small brands sell everywhere their customers are",
        ),
        users=("merchandisers", "marketplace sellers", "category managers"),
        problems=(
            "product search ranking",
            "personalized recommendations",
            "demand forecasting",
            "dynamic pricing",
            "catalog quality",
        ),
        objects=("orders", "product listings", "shopping sessions"),
        texts=("product descriptions", "customer reviews", "search queries"),
        vision=("tagging product photos and finding visually similar items",),
        context=(
            "Small gains in search relevance translate directly into millions in revenue.",
            "Our catalog has more than 40 million listings, most written by sellers in their own words.",
            "Peak-season traffic is ten times the daily average, and our systems have to keep up.",
        ),
        weight=1.2,
    ),
    "adtech": Industry(
        aliases=("adtech", "advertising", "ad tech", "programmatic advertising"),
        suffixes=("Media", "Ads", "Reach", "Signal"),
        kinds=(
            "advertising technology company",
            "programmatic ad platform",
            "retail media network",
        ),
        missions=(
            "helping brands reach the right audience without invasive tracking",
            "making digital advertising measurable and fair for publishers",
        ),
        users=("campaign managers", "media buyers", "publishers"),
        problems=(
            "click-through rate prediction",
            "bid optimization",
            "audience segmentation",
            "attribution modeling",
            "ad fraud detection",
        ),
        objects=("ad impressions", "bid requests", "campaigns"),
        texts=("ad copy", "publisher pages", "campaign briefs"),
        vision=("checking ad creatives for brand safety",),
        context=(
            "Our bidder handles over a million requests per second with a 50 ms budget.",
            "With third-party cookies going away, privacy-safe measurement is central to our roadmap.",
            "You'll work on models whose improvements show up in revenue the same day.",
        ),
        regulations=("Familiarity with privacy regulations such as GDPR and CCPA",),
    ),
    "logistics": Industry(
        aliases=("logistics", "supply chain", "freight", "transportation"),
        suffixes=("Freight", "Logistics", "Routes", "Supply"),
        kinds=(
            "freight technology company",
            "last-mile delivery network",
            "supply chain software company",
        ),
        missions=(
            "moving freight with fewer empty miles",
            "getting packages to customers faster and with less carbon",
            "giving shippers real-time visibility into their supply chain",
        ),
        users=("dispatchers", "warehouse managers", "carriers"),
        problems=(
            "delivery time estimation",
            "route optimization",
            "demand forecasting",
            "freight pricing",
            "warehouse slotting",
        ),
        objects=("shipments", "delivery routes", "warehouse scans"),
        texts=("bills of lading", "carrier emails", "shipment exception notes"),
        vision=("reading package labels and detecting damaged parcels",),
        context=(
            "Our network moves hundreds of thousands of shipments a day across North America.",
            "Accurate ETAs are the single most requested feature from our customers.",
            "You'll work with operations teams who feel the impact of every model within hours.",
        ),
    ),
    "energy": Industry(
        aliases=("energy", "utilities", "renewables", "clean energy", "climate tech"),
        suffixes=("Energy", "Power", "Grid", "Solar"),
        kinds=("renewable energy developer", "utility analytics company", "home energy company"),
        missions=(
            "accelerating the shift to a clean, reliable grid",
            "helping homeowners go solar and save money",
            "making utilities smarter with data",
        ),
        users=("grid operators", "energy traders", "field technicians"),
        problems=(
            "load forecasting",
            "solar generation forecasting",
            "predictive maintenance",
            "energy trading",
            "outage prediction",
        ),
        objects=("smart meter readings", "turbine sensor data", "grid telemetry"),
        texts=("maintenance logs", "regulatory filings", "field technician notes"),
        vision=("inspecting power lines and solar panels from drone imagery",),
        context=(
            "Our forecasts feed directly into day-ahead market bids.",
            "We ingest readings from millions of smart meters every fifteen minutes.",
            "Better maintenance predictions keep crews safer and the lights on.",
        ),
    ),
    "gaming": Industry(
        aliases=("gaming", "video games", "game studio", "games"),
        suffixes=("Games", "Studios", "Interactive", "Play"),
        kinds=("independent game studio", "mobile games publisher", "online multiplayer studio"),
        missions=(
            "building games that millions of players come back to every day",
            "making competitive games fair and fun",
        ),
        users=("game designers", "live-ops teams", "community managers"),
        problems=(
            "player churn prediction",
            "matchmaking",
            "in-game economy balancing",
            "cheat detection",
            "content recommendations",
        ),
        objects=("player sessions", "match results", "in-game purchases"),
        texts=("player chat messages", "support tickets", "game reviews"),
        vision=("detecting cheats and inappropriate content in gameplay video",),
        context=(
            "Our titles have more than 20 million monthly active players.",
            "Live-ops teams run events every week, and they rely on fast, trustworthy analysis.",
            "Toxicity and cheating hurt the player experience, and we treat them as core product problems.",
        ),
    ),
    "cybersecurity": Industry(
        aliases=("cybersecurity", "security", "infosec", "threat detection"),
        suffixes=("Security", "Shield", "Defense", "Cyber"),
        kinds=("cloud security company", "endpoint security vendor", "email security platform"),
        missions=(
            "stopping attacks before they become breaches",
            "helping security teams cut through alert fatigue",
        ),
        users=("security analysts", "SOC teams", "incident responders"),
        problems=(
            "threat detection",
            "phishing detection",
            "anomaly detection",
            "malware classification",
            "alert triage",
        ),
        objects=("security events", "network flows", "endpoint telemetry"),
        texts=("threat intelligence reports", "phishing emails", "security alerts"),
        vision=("spotting phishing pages from screenshots",),
        context=(
            "We process billions of security events per day for thousands of customers.",
            "Adversaries adapt quickly, so our detections must be robust and updated often.",
            "False positives burn out analysts, so precision matters as much as recall.",
        ),
        regulations=("Familiarity with security frameworks such as MITRE ATT&CK",),
    ),
    "biotech": Industry(
        aliases=("biotech", "life sciences", "drug discovery", "pharma", "bioinformatics"),
        suffixes=("Bio", "Therapeutics", "Genomics", "Biosciences"),
        kinds=("drug discovery company", "genomics company", "clinical-stage biotech"),
        missions=(
            "discovering medicines faster with machine learning and automated labs",
            "making genomic testing accessible to every patient",
        ),
        users=("bench scientists", "computational biologists", "clinical teams"),
        problems=(
            "protein property prediction",
            "assay analysis",
            "clinical trial site selection",
            "variant interpretation",
            "lab automation",
        ),
        objects=("assay results", "sequencing runs", "compound screens"),
        texts=("scientific literature", "lab notebooks", "clinical trial protocols"),
        vision=("analyzing microscopy and cell images",),
        context=(
            "Our automated lab produces millions of measurements a week, and models decide what to test next.",
            "You'll work side by side with biologists and chemists.",
            "Scientific rigor and reproducibility are non-negotiable.",
        ),
        regulations=("Exposure to GxP or regulated clinical data",),
    ),
    "hr tech": Industry(
        aliases=("hr tech", "recruiting", "hiring", "job marketplace", "talent tech"),
        suffixes=("Talent", "Hire", "Works", "People"),
        kinds=("hiring platform", "job marketplace", "workforce management company"),
        missions=(
            "matching people with jobs they'll love",
            "making hiring faster and fairer for everyone",
        ),
        users=("recruiters", "hiring managers", "job seekers"),
        problems=(
            "job matching",
            "candidate search ranking",
            "resume parsing",
            "salary benchmarking",
            "talent demand forecasting",
        ),
        objects=("job postings", "candidate profiles", "applications"),
        texts=("resumes", "job descriptions", "recruiter messages"),
        vision=("parsing scanned resumes and identity documents",),
        context=(
            "Job seekers search our marketplace with short, messy queries; our job is to understand what they mean.",
            "Hundreds of thousands of new job postings arrive every week, many of them duplicates.",
            "Fairness reviews are part of every model launch.",
        ),
        regulations=("Knowledge of fairness audits for automated hiring tools",),
        weight=1.2,
    ),
    "media & streaming": Industry(
        aliases=("media", "streaming", "entertainment", "music streaming"),
        suffixes=("Media", "Stream", "Studios", "Sound"),
        kinds=("streaming service", "digital media company", "podcast platform"),
        missions=(
            "helping people discover stories they love",
            "connecting artists with their audience",
        ),
        users=("editors", "content programmers", "artists"),
        problems=(
            "content recommendations",
            "subscriber churn prediction",
            "content tagging",
            "ad load optimization",
            "audience forecasting",
        ),
        objects=("viewing sessions", "listening history", "subscriptions"),
        texts=("show synopses", "subtitles", "podcast transcripts"),
        vision=("tagging scenes and generating thumbnails from video",),
        context=(
            "Recommendations drive most of what our members watch.",
            "We serve tens of millions of members in over 30 countries.",
            "Our catalog changes daily, so cold start is a constant challenge.",
        ),
    ),
    "edtech": Industry(
        aliases=("edtech", "education", "online learning", "e-learning"),
        suffixes=("Learning", "Academy", "Education", "Labs"),
        kinds=("online learning platform", "K-12 education company", "tutoring marketplace"),
        missions=(
            "helping every student learn at their own pace",
            "making quality tutoring available to every student",
        ),
        users=("teachers", "tutors", "learners"),
        problems=(
            "learner dropout prediction",
            "content recommendations",
            "automated essay feedback",
            "skill mastery estimation",
        ),
        objects=("lesson attempts", "learner sessions", "quiz results"),
        texts=("student essays", "course content", "tutoring transcripts"),
        vision=("reading handwritten math work",),
        context=(
            "Millions of students use our platform during the school year.",
            "Student data privacy is core to how we build; we follow FERPA and COPPA.",
            "Teachers are our most demanding critics, and their feedback shapes every release.",
        ),
    ),
    "travel": Industry(
        aliases=("travel", "hospitality", "online travel"),
        suffixes=("Travel", "Trips", "Stays", "Voyages"),
        kinds=(
            "online travel company",
            "hospitality technology company",
            "vacation rental platform",
        ),
        missions=(
            "making trip planning simple",
            "helping independent hotels compete online",
        ),
        users=("revenue managers", "travel agents", "hosts"),
        problems=(
            "hotel pricing",
            "search ranking for stays",
            "cancellation prediction",
            "demand forecasting",
            "booking fraud detection",
        ),
        objects=("bookings", "search sessions", "property listings"),
        texts=("guest reviews", "property descriptions", "support conversations"),
        vision=("ranking and tagging property photos",),
        context=(
            "Travel demand swings with seasons, holidays, and events, and our models have to keep up.",
            "We serve travelers in 40 languages.",
            "Pricing decisions move revenue for thousands of independent hosts.",
        ),
    ),
    "real estate": Industry(
        aliases=("real estate", "proptech", "property tech", "mortgage"),
        suffixes=("Homes", "Realty", "Properties", "Estates"),
        kinds=(
            "real estate technology company",
            "mortgage platform",
            "property management company",
        ),
        missions=(
            "making buying a home simpler and more transparent",
            "helping landlords and tenants get along better",
        ),
        users=("agents", "property managers", "loan officers"),
        problems=(
            "home price estimation",
            "lead scoring",
            "rent pricing",
            "mortgage document processing",
            "maintenance request routing",
        ),
        objects=("property listings", "home sales", "rental applications"),
        texts=("listing descriptions", "inspection reports", "tenant messages"),
        vision=("understanding room types and condition from listing photos",),
        context=(
            "Our valuation model covers more than 100 million homes.",
            "Housing markets move fast, so our estimates are refreshed daily.",
            "Fair housing rules shape how we build and evaluate every model.",
        ),
        regulations=("Understanding of fair housing and fair lending requirements",),
    ),
}


# --------------------------------------------------------------------------------------------
# Seniority, places, and the small tables that posting text and queries are made of.
# --------------------------------------------------------------------------------------------

SENIORITY_YEARS: dict[Seniority, tuple[int, int]] = {
    "junior": (0, 2),
    "mid": (2, 4),
    "senior": (5, 7),
    "staff": (8, 10),
    "lead": (6, 9),
    "principal": (10, 12),
}
_SENIORITY_WEIGHTS: dict[Seniority, float] = {
    "junior": 0.15,
    "mid": 0.3,
    "senior": 0.3,
    "staff": 0.1,
    "lead": 0.08,
    "principal": 0.07,
}
_TITLE_PREFIXES: dict[Seniority, tuple[str, ...]] = {
    "junior": ("Junior", "Associate", "Jr.", "Entry-Level"),
    "mid": ("", "", ""),
    "senior": ("Senior", "Senior", "Sr."),
    "staff": ("Staff",),
    "lead": ("Lead",),
    "principal": ("Principal",),
}
_SENIORITY_QUERY: dict[Seniority, tuple[str, ...]] = {
    "junior": ("junior", "entry level", "jr", "entry-level", "new grad", "associate"),
    "mid": ("", "", "mid level", "mid-level"),
    "senior": ("senior", "sr", "sr.", "senior level"),
    "staff": ("staff",),
    "lead": ("lead", "team lead"),
    "principal": ("principal",),
}
_SALARY_K: dict[Seniority, tuple[int, int]] = {
    "junior": (75, 105),
    "mid": (105, 145),
    "senior": (145, 190),
    "staff": (185, 240),
    "lead": (170, 225),
    "principal": (210, 270),
}
_SALARY_FACTOR: dict[str, float] = {
    "data_analyst": 0.72,
    "bi_analyst": 0.75,
    "product_analyst": 0.85,
    "analytics_engineer": 0.92,
    "research_scientist": 1.15,
    "llm_engineer": 1.12,
}
_MODE_WEIGHTS: dict[WorkMode, float] = {"remote": 0.3, "hybrid": 0.4, "on-site": 0.3}
_FORMAT_WEIGHTS: dict[TextFormat, float] = {"html": 0.35, "markdown": 0.35, "plain": 0.3}
# Direct from the company's careers site, via a job board, or through a recruiting agency.
_CHANNEL_WEIGHTS: dict[Channel, float] = {"direct": 0.68, "aggregator": 0.22, "recruiter": 0.1}

# (city, state, how people type it in a search box)
_CITIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("New York", "NY", ("nyc", "new york")),
    ("San Francisco", "CA", ("sf", "bay area", "san francisco")),
    ("Seattle", "WA", ("seattle",)),
    ("Austin", "TX", ("austin",)),
    ("Boston", "MA", ("boston",)),
    ("Chicago", "IL", ("chicago",)),
    ("Denver", "CO", ("denver",)),
    ("Atlanta", "GA", ("atlanta",)),
    ("Los Angeles", "CA", ("la", "los angeles")),
    ("Washington", "DC", ("dc", "washington dc")),
    ("Raleigh", "NC", ("raleigh", "research triangle")),
    ("Pittsburgh", "PA", ("pittsburgh",)),
    ("Minneapolis", "MN", ("minneapolis", "twin cities")),
    ("Salt Lake City", "UT", ("slc", "salt lake city")),
    ("Miami", "FL", ("miami",)),
    ("San Diego", "CA", ("san diego",)),
    ("Philadelphia", "PA", ("philly", "philadelphia")),
    ("Portland", "OR", ("portland",)),
    ("Columbus", "OH", ("columbus",)),
    ("Nashville", "TN", ("nashville",)),
)
# States whose pay-transparency laws make a salary range the norm.
_PAY_STATES = frozenset({"CA", "NY", "WA", "CO", "IL", "MN", "DC"})

_NAME_HEADS = (
    "Bright", "Clear", "North", "Blue", "Iron", "Silver", "Cedar", "Maple", "Harbor",
    "Summit", "True", "Open", "Quiet", "Swift", "Kind", "Lumen", "Oak", "Tidal", "Copper",
    "Pine", "Alder", "Beacon", "Fern", "Juniper", "Lark",
)  # fmt: skip
_NAME_TAILS = (
    "keel", "field", "line", "path", "wave", "leaf", "gate", "bridge", "forge", "light",
    "mark", "point", "ridge", "works", "well", "brook", "crest", "loop", "vale", "spring",
)  # fmt: skip
_AGGREGATORS = (
    "JobPulse",
    "HireStream",
    "TalentPost",
    "CareerGrid",
    "DataJobs Weekly",
    "RemoteBoard",
)
_AGENCIES = (
    "Northbridge Talent Partners",
    "Signal Search Group",
    "Keystone Data Recruiting",
    "Meridian Tech Staffing",
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_INTROS = (
    "We're looking for {a_title} to {mission}.",
    "As {a_title} on the {team} team at {company}, you'll {mission}.",
    "{company} is hiring {a_title} to join our {team} team and {mission}.",
    "Join our {team} team as {a_title} and {mission}.",
    "The {team} team is growing, and we need {a_title} who can {mission}.",
)
_RECRUITER_INTROS = (
    "The successful {title} will join the {team} team and {mission}.",
    "In this role you'll {mission}.",
    "As the new {title}, you will {mission}.",
)
_INDUSTRY_DUTIES = (
    "Work directly with {users} to understand their workflows and pain points",
    "Partner with {users} to turn their feedback into improvements",
    "Help {users} trust and adopt data-driven tools",
)
_SENIORITY_DUTIES: dict[Seniority, tuple[str, ...]] = {
    "junior": (
        "Ship well-scoped projects with guidance from senior teammates",
        "Learn our codebase and data quickly through code review and mentorship",
    ),
    "mid": (
        "Own projects from scoping to delivery with moderate guidance",
        "Take ownership of a core part of the team's roadmap",
    ),
    "senior": (
        "Mentor junior team members and raise the bar through code and design reviews",
        "Lead projects end to end and influence the team's roadmap",
    ),
    "staff": (
        "Set technical direction across multiple teams",
        "Identify and drive the highest-leverage technical investments",
    ),
    "lead": (
        "Lead a team of {n} and own hiring, coaching, and performance",
        "Manage and grow a team of {n} while staying hands-on",
    ),
    "principal": (
        "Define the multi-year technical strategy for the {team} organization",
        "Act as the senior-most technical voice in design reviews across the company",
    ),
}
_SENIORITY_REQUIREMENTS: dict[Seniority, tuple[str, ...]] = {
    "junior": (),
    "mid": (),
    "senior": ("Experience mentoring others and leading projects end to end",),
    "staff": ("Track record of technical leadership across teams",),
    "lead": ("Experience managing a team of data professionals, including hiring and reviews",),
    "principal": (
        "Recognized expertise, such as publications, open-source work, or widely adopted systems",
    ),
}
_YEARS_LINES = (
    "{y}+ years of experience in {area}",
    "{y}+ years of professional experience in {area}",
    "At least {y} years of experience in {area}",
    "{y}+ years working in {area}",
)
_JUNIOR_YEARS_LINES = (
    "0-2 years of experience in {area}; internships and research projects count",
    "Up to 2 years of experience in {area}, or a strong portfolio of projects",
    "New graduates welcome: 0-2 years of experience in {area}",
)
_SKILL_LINES: dict[int, tuple[str, ...]] = {
    1: (
        "Hands-on experience with {0}",
        "Strong proficiency in {0}",
        "Production experience with {0}",
        "Deep familiarity with {0}",
        "You use {0} every day and know its sharp edges",
    ),
    2: (
        "Strong {0} and {1} skills",
        "Experience with {0} and {1}",
        "Hands-on experience with {0} and {1} in production",
    ),
    3: (
        "Fluency in {0}, {1}, and {2}",
        "Experience with tools like {0}, {1}, or {2}",
        "Working knowledge of {0}, {1}, and {2}",
    ),
}
_NICE_LINES: dict[int, tuple[str, ...]] = {
    1: (
        "Experience with {0}",
        "Familiarity with {0}",
        "Exposure to {0} is a plus",
        "Bonus: you've worked with {0}",
    ),
    2: ("Experience with {0} or {1}", "Familiarity with {0} and {1}"),
}
_INDUSTRY_NICE = (
    "Prior experience in {industry}",
    "Background in {industry} or another data-heavy industry",
)
_STACK_LINES = ("Tech stack", "Our stack", "Tools we use", "Stack")

_MODE_LINES: dict[WorkMode, tuple[str, ...]] = {
    "remote": (
        "This is a fully remote role open to candidates anywhere in the US.",
        "Remote (US): work from anywhere in the continental United States, with occasional team offsites.",
        "We're a remote-first team, and this position is 100% remote.",
    ),
    "hybrid": (
        "This is a hybrid role based in our {city} office ({d} days a week on-site).",
        "Hybrid: {d} days per week in {city}, {st}.",
        "Location: {city}, {st} (hybrid, {d} days in the office).",
    ),
    "on-site": (
        "This role is on-site at our {city}, {st} office, five days a week.",
        "Location: {city}, {st}. This position is fully in-office.",
        "On-site in {city}; relocation assistance is available.",
    ),
}

_HEADINGS: dict[str, tuple[str | None, ...]] = {
    "intro": (None, None, "About the role", "The role", "Overview", "Position summary"),
    "duties": (
        "Responsibilities",
        "What you'll do",
        "What You Will Do",
        "Key responsibilities",
        "In this role you will",
        "Your impact",
    ),
    "requirements": (
        "Requirements",
        "Qualifications",
        "What we're looking for",
        "What you'll bring",
        "Minimum qualifications",
        "About you",
    ),
    "nice": (
        "Nice to have",
        "Bonus points",
        "Preferred qualifications",
        "It's a plus if you have",
        "Nice-to-haves",
    ),
    "benefits": (
        "Benefits",
        "What we offer",
        "Perks & Benefits",
        "Perks",
        "Why you'll love working here",
        "Our benefits",
    ),
    "about": ("About us", "About {company}", "Who we are", "Company overview"),
    "pay": ("Compensation", "Pay transparency", "Salary", None),
    "eeo": (None, None, "Equal opportunity", "EEO statement"),
    "apply": (None, None, "How to apply", "Next steps"),
}

_BLURB_OPENERS = (
    "{name} is a leading {kind} {mission}.",
    "At {name}, we're {mission}.",
    "{name} is a {kind} focused on {mission}.",
    "{name} is a fast-growing {kind} {mission}.",
)
_BLURB_FOLLOWERS = (
    "Founded in {year} and headquartered in {city}, we're a team of {size} people.",
    "Since {year}, we've grown to {size} employees and serve {customers} customers.",
    "Founded in {year}, we're backed by leading investors and have been named one of {city}'s \"Best Places to Work\".",
    "Since {year}, our {size}-person team has worked out of {city} and remote locations across the US.",
)
_COMPANY_SIZES = ("45", "120", "300", "650", "1,200", "4,000")
_CUSTOMER_COUNTS = ("2,000", "15,000", "over 100,000", "millions of")

_HEALTH_BENEFITS = (
    "Medical, dental, and vision insurance",
    "Comprehensive health, dental & vision coverage for you and your dependents",
    "100% employer-paid medical, dental, and vision premiums",
)
_BENEFITS = (
    "401(k) with a {n}% company match",
    "Unlimited PTO",
    "{n2} days of paid time off plus company holidays",
    "{n} weeks of paid parental leave",
    "Annual learning and development budget of ${budget:,}",
    "Home office setup stipend",
    "Monthly wellness stipend",
    "Equity in a growing company",
    "Commuter benefits",
    "Life and disability insurance",
    "HSA and FSA options",
    "Flexible working hours",
    "Company-wide winter break",
    "Annual team offsite",
    "Free lunch in the office on team days",
)
_BENEFITS_PARAGRAPH = (
    "We offer {items}.",
    "Our total rewards package includes {items}.",
    "You'll get {items}.",
)

_PAY_LINES = (
    "The base salary range for this role is ${lo:,} - ${hi:,} per year. Final offers depend on experience, skills, and location.",
    "Pay range: ${lo_k}K–${hi_k}K base + bonus + equity.",
    "In compliance with pay transparency laws, the expected annual salary for this position is ${lo:,} to ${hi:,}. This range may vary based on location and experience.",
    "Salary: ${lo:,}–${hi:,} USD annually, plus equity and an annual performance bonus.",
    "The anticipated hiring range for candidates based in {state} is ${lo:,} - ${hi:,}. Individual pay is determined by job-related skills, experience, and relevant education or training.",
)

_EEO_LINES = (
    "{company} is an equal opportunity employer. We celebrate diversity and are committed to creating an inclusive environment for all employees.",
    "{company} is proud to be an Equal Employment Opportunity employer. All qualified applicants will receive consideration for employment without regard to race, color, religion, sex, sexual orientation, gender identity, national origin, disability, veteran status, or any other characteristic protected by law.",
    "We are an equal opportunity employer and value diversity at our company. We do not discriminate on the basis of race, religion, color, national origin, gender, sexual orientation, age, marital status, veteran status, or disability status.",
    "EOE/Minorities/Females/Vet/Disability. {company} provides reasonable accommodations to applicants with disabilities; contact {email} to request one.",
    "Diversity makes us better. {company} provides equal employment opportunities to all applicants and employees without regard to any legally protected characteristic. If you need an accommodation during the hiring process, let us know.",
)
_APPLY_LINES = (
    "To apply, send your resume and a short note about a project you're proud of to {email}.",
    "Click Apply to submit your application. We review every application and aim to respond within two weeks.",
    "Interested? Apply now through our careers page at {site}/careers.",
    "Please submit your resume via the Apply button below. No recruiters or agencies, please.",
    "Ready to apply? Submit your application and we'll be in touch about next steps.",
    "How to apply: email your CV and a GitHub or portfolio link to {email} with the job title in the subject line.",
)
_AGGREGATOR_LINES = (
    "Job ID: {jid} | Posted via {board} | {date}",
    "Req #{jid} — {title} — {location}",
    "Posted {days} days ago · {applicants} applicants · via {board}",
    "[{board}] Job reference {jid} · {date}",
)
_RECRUITER_OPENERS = (
    "Our client, {adj} {kind} based in {city}, is seeking {a_title} to join their growing team.",
    "Our client, a well-funded {kind}, is looking for {a_title}. This is an exciting opportunity to join {adj} company.",
)
_RECRUITER_CLOSERS = (
    "{agency} is a specialist data and AI recruitment firm. By sending your details, you consent to {agency} storing them for recruitment purposes.",
    "{agency} is acting as an employment agency for this vacancy. Only shortlisted candidates will be contacted.",
)
_RECRUITER_ADJECTIVES = (
    "a fast-growing",
    "a venture-backed",
    "a well-established",
    "an award-winning",
)
# Agencies keep the client's name out of the text, so their statements are generic.
_RECRUITER_EEO = _EEO_LINES[2]
_RECRUITER_APPLY = (_APPLY_LINES[1], _APPLY_LINES[4])

_REPOST_NOTES = (
    "Update: we are hiring for two openings on this team.",
    "Re-posted: this role is still open, and we'd love to hear from you.",
    "Visa sponsorship is available for this position.",
    "This role was previously posted; if you already applied, there is no need to do so again.",
    "We're especially interested in candidates who can start within the next two months.",
)

_WHERE_QUERY: dict[WorkMode, tuple[str, ...]] = {
    "remote": ("remote", "remote us", "work from home", "fully remote", "wfh"),
    "hybrid": ("hybrid {city}", "{city} hybrid", "hybrid"),
    "on-site": ("{city}", "onsite {city}", "on-site {city}", "{city} area"),
}
_YEARS_QUERY = ("{y} years", "{y}+ years", "{y} yrs experience", "{y} year experience", "{y}+ yoe")
_JUNIOR_YEARS_QUERY = ("entry level", "0-2 years", "new grad")
_MAX_QUERY_WORDS = 10
_QUERY_TEMPLATES = (
    "{sen} {role} {skill} {industry} {where}",
    "{role} {years}, {industry}, {skill}",
    "{sen} {role} {skill} {skill2}",
    "{role} jobs {where} {skill}",
    "{where} {sen} {role} roles in {industry}",
    "{skill} {skill2} {role} {where}",
    "{sen} {role} {industry} {skill}",
    "{role} with {skill} and {skill2}",
    "{industry} {role} {where}",
    "{skill} {role} {sen} {where}",
    "{role} position {industry} {skill}",
    "{skill} jobs {industry} {where}",
    "{skill} {skill2} {industry} jobs",
    "{sen} {role} {years} {skill}",
    "looking for {sen} {role} job {where} {skill}",
    "{role} opening {industry} {skill} {skill2}",
)


# --------------------------------------------------------------------------------------------
# Internal structures: a company, a posting's facts, its sections, and a draft to render.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Style:
    """How one applicant-tracking system formats text; a company keeps its style."""

    fmt: TextFormat
    heading: int  # index into the format's heading patterns
    marker: str  # markdown bullet marker
    compact: bool  # html: no newlines between blocks; plain: bullets run into a paragraph
    apostrophe: str  # html only: how ' is written


@dataclass(frozen=True)
class _Company:
    name: str
    industry: str
    city: tuple[str, str, tuple[str, ...]]
    email: str
    site: str
    blurb: tuple[str, ...]
    headings: dict[str, str | None]
    benefits: tuple[str, ...]
    benefits_as_list: bool
    eeo: str
    apply: str
    uses: frozenset[str]  # which optional boilerplate sections it usually includes
    style: _Style


@dataclass(frozen=True)
class _Section:
    kind: str
    heading: str | None = None
    paragraphs: tuple[str, ...] = ()
    bullets: tuple[str, ...] = ()
    inline: bool = False  # "Heading: text" on one line


@dataclass(frozen=True)
class _Facets:
    """What a posting is about: the facts its gold queries are built from."""

    family: str
    seniority: Seniority
    years: int
    skills: tuple[str, ...]
    industry: str
    mode: WorkMode
    city: tuple[str, str, tuple[str, ...]]
    title: str
    company: str


@dataclass(frozen=True)
class _Draft:
    facets: _Facets
    slots: dict[str, str]
    sections: tuple[_Section, ...]
    style: _Style
    noise_seed: int
    salary: tuple[int, int]
    pay_line: int


# --------------------------------------------------------------------------------------------
# Public entry point.
# --------------------------------------------------------------------------------------------


def generate_demo_corpus(
    n_jobs: int = 1000, *, seed: int = 0, repost_rate: float = 0.08
) -> DemoCorpus:
    """Write `n_jobs` original postings plus `round(repost_rate * n_jobs)` reposts, shuffled,
    and one or two gold queries per original.

    >>> corpus = generate_demo_corpus(10, seed=0, repost_rate=0.2)
    >>> len(corpus.postings), sum(p["repost_of"] != "" for p in corpus.postings)
    (12, 2)
    """
    _check_args(n_jobs, repost_rate)
    rng = random.Random(seed)
    companies = _make_companies(rng, _company_count(n_jobs))
    weights = [1.0 / (rank + 1) ** 0.5 for rank in range(len(companies))]
    originals = [_make_original(rng, rng.choices(companies, weights)[0]) for _ in range(n_jobs)]
    sources = rng.sample(range(n_jobs), round(repost_rate * n_jobs))
    entries: list[tuple[_Draft, int | None]] = [(draft, None) for draft in originals]
    entries += [(_make_repost(rng, originals[i]), i) for i in sources]
    order = list(range(len(entries)))
    rng.shuffle(order)
    width = max(5, len(str(len(entries) - 1)))
    ids = [""] * len(entries)
    for position, entry in enumerate(order):
        ids[entry] = f"demo-{position:0{width}d}"
    postings: list[dict[str, str]] = []
    queries: list[dict[str, str]] = []
    for entry in order:
        draft, source = entries[entry]
        repost_of = "" if source is None else ids[source]
        postings.append(_record(draft, ids[entry], repost_of))
        if source is None:
            queries += _query_records(rng, draft.facets, ids[entry])
    return DemoCorpus(postings=postings, queries=queries)


def _check_args(n_jobs: int, repost_rate: float) -> None:
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs < 1:
        raise EmbedtuneError(
            f"Invalid n_jobs: {n_jobs!r}; the demo corpus needs at least 1 job",
            fix="pass an integer n_jobs >= 1, e.g. 1000",
        )
    if not 0.0 <= repost_rate <= 1.0:
        raise EmbedtuneError(
            f"Invalid repost_rate: {repost_rate!r}; valid: a fraction from 0 to 1",
            fix="pass a repost_rate between 0 and 1, e.g. 0.08",
        )


def _record(draft: _Draft, posting_id: str, repost_of: str) -> dict[str, str]:
    facets = draft.facets
    city, state, _ = facets.city
    return {
        "id": posting_id,
        "title": facets.title,
        "company": facets.company,
        "location": "Remote (US)" if facets.mode == "remote" else f"{city}, {state}",
        "description": _render(draft),
        "seniority": facets.seniority,
        "industry": facets.industry,
        "skills": ", ".join(facets.skills),
        "repost_of": repost_of,
    }


# --------------------------------------------------------------------------------------------
# Small random helpers.
# --------------------------------------------------------------------------------------------


def _weighted(rng: random.Random, weights: Mapping[_K, float]) -> _K:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[key] for key in keys])[0]


def _pick(rng: random.Random, options: Sequence[_T]) -> _T:
    return options[rng.randrange(len(options))]


def _capfirst(text: str) -> str:
    return text[:1].upper() + text[1:]


def _skill_surface(rng: random.Random, skill: str, canonical_p: float = 0.6) -> str:
    """The skill as a posting or a query writes it: its canonical name or one of its aliases."""
    aliases = SKILL_ALIASES[skill]
    if not aliases or rng.random() < canonical_p:
        return skill
    return _pick(rng, aliases)


def _with_article(noun: str) -> str:
    """'a' or 'an' by how the first word sounds; acronyms are spelled out.

    >>> _with_article("NLP Engineer"), _with_article("BI Analyst"), _with_article("Sr. Data Analyst")
    ('an NLP Engineer', 'a BI Analyst', 'a Sr. Data Analyst')
    """
    word = noun.split()[0]
    acronym = word[:2].isupper()
    vowel_sound = word[0] in "AEFHILMNORSX" if acronym else word[0].lower() in "aeiou"
    return f"{'an' if vowel_sound else 'a'} {noun}"


def _join_and(items: Sequence[str]) -> str:
    """Join with commas and a final "and".

    >>> _join_and(["a", "b", "c"])
    'a, b, and c'
    """
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]


# --------------------------------------------------------------------------------------------
# Companies.
# --------------------------------------------------------------------------------------------


def _company_count(n_jobs: int) -> int:
    return max(1, min(400, n_jobs // 6 + 1))


def _make_companies(rng: random.Random, count: int) -> list[_Company]:
    industry_weights = {key: industry.weight for key, industry in INDUSTRIES.items()}
    taken: set[str] = set()
    companies: list[_Company] = []
    while len(companies) < count:
        industry = _weighted(rng, industry_weights)
        name = _pick(rng, _NAME_HEADS) + _pick(rng, _NAME_TAILS)
        name += " " + _pick(rng, INDUSTRIES[industry].suffixes)
        if name not in taken:
            taken.add(name)
            companies.append(_make_company(rng, name, industry))
    return companies


def _make_company(rng: random.Random, name: str, industry_key: str) -> _Company:
    industry = INDUSTRIES[industry_key]
    city = _pick(rng, _CITIES)
    domain = re.sub(r"[^a-z]", "", name.lower()) + ".com"
    email = f"{_pick(rng, ('careers', 'jobs', 'talent', 'recruiting'))}@{domain}"
    uses = {
        kind for kind, p in (("about", 0.85), ("benefits", 0.8), ("eeo", 0.8)) if rng.random() < p
    }
    headings = {kind: _pick(rng, options) for kind, options in _HEADINGS.items()}
    headings["about"] = (headings["about"] or "About us").format(company=name)
    return _Company(
        name=name,
        industry=industry_key,
        city=city,
        email=email,
        site=f"https://www.{domain}",
        blurb=_make_blurb(rng, name, industry, city[0]),
        headings=headings,
        benefits=_make_benefits(rng),
        benefits_as_list=rng.random() < 0.75,
        eeo=_pick(rng, _EEO_LINES).format(company=name, email=email),
        apply=_pick(rng, _APPLY_LINES).format(email=email, site=f"https://{domain}"),
        uses=frozenset(uses),
        style=_random_style(rng),
    )


def _make_blurb(rng: random.Random, name: str, industry: Industry, city: str) -> tuple[str, ...]:
    slots = {
        "name": name,
        "kind": _pick(rng, industry.kinds),
        "mission": _pick(rng, industry.missions),
        "year": str(rng.randint(1998, 2022)),
        "city": city,
        "size": _pick(rng, _COMPANY_SIZES),
        "customers": _pick(rng, _CUSTOMER_COUNTS),
    }
    opener = _pick(rng, _BLURB_OPENERS).format_map(slots)
    return (opener, _pick(rng, _BLURB_FOLLOWERS).format_map(slots))


def _make_benefits(rng: random.Random) -> tuple[str, ...]:
    picked = rng.sample(_BENEFITS, rng.randint(3, 6))
    slots = {
        "n": rng.choice((3, 4, 6)),
        "n2": rng.choice((15, 20, 25)),
        "budget": rng.choice((1000, 1500, 2000, 2500)),
    }
    items = [_pick(rng, _HEALTH_BENEFITS)] + [item.format_map(slots) for item in picked]
    return tuple(items)


def _random_style(rng: random.Random) -> _Style:
    return _Style(
        fmt=_weighted(rng, _FORMAT_WEIGHTS),
        heading=rng.randrange(3),
        marker=_pick(rng, ("- ", "• ", "* ", "– ")),
        compact=rng.random() < 0.4,
        apostrophe=_pick(rng, ("'", "'", "&#39;", "&rsquo;")),
    )


# --------------------------------------------------------------------------------------------
# Original postings.
# --------------------------------------------------------------------------------------------


def _make_original(rng: random.Random, company: _Company) -> _Draft:
    industry = INDUSTRIES[company.industry]
    family = _pick_family(rng, industry)
    role = ROLE_FAMILIES[family]
    seniority = _pick_seniority(rng, role)
    channel = _weighted(rng, _CHANNEL_WEIGHTS)
    city = company.city if rng.random() < 0.75 else _pick(rng, _CITIES)
    facets = _Facets(
        family=family,
        seniority=seniority,
        years=rng.randint(*SENIORITY_YEARS[seniority]),
        skills=_pick_skills(rng, role),
        industry=company.industry,
        mode=_weighted(rng, _MODE_WEIGHTS),
        city=city,
        title=_make_title(rng, role, seniority),
        company=company.name,
    )
    slots = _make_slots(rng, company, industry, role, facets, channel)
    salary = _salary(rng, facets)
    pay_line = rng.randrange(len(_PAY_LINES))
    sections = _assemble(rng, company, facets, slots, channel, salary, pay_line)
    style = company.style if channel == "direct" else _random_style(rng)
    return _Draft(facets, slots, sections, style, rng.getrandbits(32), salary, pay_line)


def _pick_family(rng: random.Random, industry: Industry) -> str:
    weights = {
        key: role.weight
        for key, role in ROLE_FAMILIES.items()
        if industry.vision or not role.needs_vision
    }
    return _weighted(rng, weights)


def _pick_seniority(rng: random.Random, role: RoleFamily) -> Seniority:
    weights = {
        level: w
        for level, w in _SENIORITY_WEIGHTS.items()
        if role.hires_junior or level != "junior"
    }
    return _weighted(rng, weights)


def _pick_skills(rng: random.Random, role: RoleFamily) -> tuple[str, ...]:
    core = rng.sample(role.skills, rng.randint(3, min(5, len(role.skills))))
    extra = rng.sample(role.extra_skills, rng.randint(1, 2))
    return tuple(core + extra)


def _make_title(rng: random.Random, role: RoleFamily, seniority: Seniority) -> str:
    base = _pick(rng, role.titles)
    title = f"{_pick(rng, _TITLE_PREFIXES[seniority])} {base}".strip()
    if seniority == "mid" and rng.random() < 0.25:
        title += " II"
    if rng.random() < 0.2:
        focus = _pick(rng, role.focuses)
        title += _pick(rng, (f", {focus}", f" - {focus}", f" ({focus})"))
    return title


def _make_slots(
    rng: random.Random,
    company: _Company,
    industry: Industry,
    role: RoleFamily,
    facets: _Facets,
    channel: Channel,
) -> dict[str, str]:
    problem, problem2 = rng.sample(industry.problems, 2)
    city, state, _ = facets.city
    return {
        "title": facets.title,
        "a_title": _with_article(facets.title),
        "company": "our client" if channel == "recruiter" else company.name,
        "team": _pick(rng, role.teams),
        "problem": problem,
        "problem2": problem2,
        "objects": _pick(rng, industry.objects),
        "text": _pick(rng, industry.texts),
        "vision": _pick(rng, industry.vision) if industry.vision else "",
        "users": _pick(rng, industry.users),
        "industry": _pick(rng, industry.aliases[:2]),
        "area": _pick(rng, role.experience),
        "n": str(rng.randint(3, 8)),
        "y": str(facets.years),
        "city": city,
        "st": state,
        "d": str(rng.randint(2, 3)),
    }


def _salary(rng: random.Random, facets: _Facets) -> tuple[int, int]:
    low_k, high_k = _SALARY_K[facets.seniority]
    factor = _SALARY_FACTOR.get(facets.family, 1.0)
    if facets.city[1] in {"CA", "NY", "WA"}:
        factor *= 1.08
    low = round(rng.uniform(low_k, (low_k + high_k) / 2) * factor) * 1000
    high = round(low * rng.uniform(1.18, 1.4) / 1000) * 1000
    return low, high


# --------------------------------------------------------------------------------------------
# Sections: role content and boilerplate.
# --------------------------------------------------------------------------------------------


def _assemble(
    rng: random.Random,
    company: _Company,
    facets: _Facets,
    slots: dict[str, str],
    channel: Channel,
    salary: tuple[int, int],
    pay_line: int,
) -> tuple[_Section, ...]:
    """Order: preamble, maybe the blurb, role content, then benefits/pay, the blurb, EEO/apply."""
    head: list[_Section] = []
    if channel == "aggregator":
        head.append(_aggregator_section(rng, facets))
    if channel == "recruiter":
        head.append(_recruiter_opener(rng, company, facets))
    about = _about_section(company) if channel != "recruiter" and "about" in company.uses else None
    about_first = about is not None and rng.random() < 0.55
    if about is not None and about_first:
        head.append(about)
    middle = _benefit_and_pay(rng, company, facets, channel, salary, pay_line)
    rng.shuffle(middle)
    if about is not None and not about_first:
        middle.append(about)
    tail = _eeo_and_apply(rng, company, channel)
    rng.shuffle(tail)
    if channel == "recruiter":
        agency = _pick(rng, _AGENCIES)
        tail.append(
            _Section(
                "recruiter", paragraphs=(_pick(rng, _RECRUITER_CLOSERS).format(agency=agency),)
            )
        )
    return tuple(head + _role_sections(rng, company, facets, slots) + middle + tail)


def _role_sections(
    rng: random.Random, company: _Company, facets: _Facets, slots: dict[str, str]
) -> list[_Section]:
    role = ROLE_FAMILIES[facets.family]
    industry = INDUSTRIES[facets.industry]
    core, extra = _split_skills(facets.skills, role)
    sections = [
        _intro_section(rng, company, role, industry, facets, slots),
        _Section("duties", company.headings["duties"], bullets=_duties(rng, role, facets, slots)),
        _Section(
            "requirements",
            company.headings["requirements"],
            bullets=_requirements(rng, role, facets, core, slots),
        ),
        _Section("nice", company.headings["nice"], bullets=_nice(rng, industry, extra, slots)),
    ]
    if rng.random() < 0.3:
        stack = ", ".join(
            _skill_surface(rng, skill, 0.8)
            for skill in rng.sample(facets.skills, len(facets.skills))
        )
        position = _pick(rng, (1, 3, 4))
        sections.insert(
            position, _Section("stack", _pick(rng, _STACK_LINES), (stack,), inline=True)
        )
    return sections


def _split_skills(skills: tuple[str, ...], role: RoleFamily) -> tuple[list[str], list[str]]:
    core = [skill for skill in skills if skill in role.skills]
    return core, [skill for skill in skills if skill not in role.skills]


def _intro_section(
    rng: random.Random,
    company: _Company,
    role: RoleFamily,
    industry: Industry,
    facets: _Facets,
    slots: dict[str, str],
) -> _Section:
    templates = _RECRUITER_INTROS if slots["company"] == "our client" else _INTROS
    mission = _pick(rng, role.missions).format_map(slots)
    sentences = [_capfirst(_pick(rng, templates).format_map({**slots, "mission": mission}))]
    if rng.random() < 0.7:
        sentences.append(_pick(rng, industry.context))
    mode_line = _pick(rng, _MODE_LINES[facets.mode]).format_map(slots)
    if rng.random() < 0.5:
        return _Section("intro", company.headings["intro"], (" ".join(sentences), mode_line))
    return _Section("intro", company.headings["intro"], (" ".join([*sentences, mode_line]),))


def _duties(
    rng: random.Random, role: RoleFamily, facets: _Facets, slots: dict[str, str]
) -> tuple[str, ...]:
    duties = rng.sample(role.duties, rng.randint(4, min(6, len(role.duties))))
    duties.insert(rng.randint(1, len(duties)), _pick(rng, _SENIORITY_DUTIES[facets.seniority]))
    if rng.random() < 0.35:
        duties.append(_pick(rng, _INDUSTRY_DUTIES))
    return tuple(duty.format_map(slots) for duty in duties)


def _requirements(
    rng: random.Random,
    role: RoleFamily,
    facets: _Facets,
    core: list[str],
    slots: dict[str, str],
) -> tuple[str, ...]:
    years_lines = _JUNIOR_YEARS_LINES if facets.seniority == "junior" else _YEARS_LINES
    lines = [_pick(rng, years_lines).format_map(slots)]
    lines += _skill_lines(rng, core, _SKILL_LINES)
    lines += rng.sample(role.requirements, rng.randint(1, 2))
    lines += list(_SENIORITY_REQUIREMENTS[facets.seniority])
    if rng.random() < 0.55:
        lines.append(_pick(rng, role.degrees))
    return tuple(lines)


def _nice(
    rng: random.Random, industry: Industry, extra: list[str], slots: dict[str, str]
) -> tuple[str, ...]:
    lines = _skill_lines(rng, extra, _NICE_LINES)
    if industry.regulations and rng.random() < 0.5:
        lines.append(_pick(rng, industry.regulations))
    if rng.random() < 0.35:
        lines.append(_pick(rng, _INDUSTRY_NICE).format_map(slots))
    return tuple(lines)


def _skill_lines(
    rng: random.Random, skills: list[str], templates: Mapping[int, tuple[str, ...]]
) -> list[str]:
    """Mention every skill once, in groups of one to the largest group the templates allow."""
    lines = []
    rest = list(skills)
    while rest:
        size = rng.randint(1, min(len(rest), max(templates)))
        group, rest = rest[:size], rest[size:]
        surfaces = [_skill_surface(rng, skill) for skill in group]
        lines.append(_pick(rng, templates[size]).format(*surfaces))
    return lines


def _about_section(company: _Company) -> _Section:
    heading = company.headings["about"]
    return _Section("about", heading, (" ".join(company.blurb),), inline=heading == "About us")


def _benefit_and_pay(
    rng: random.Random,
    company: _Company,
    facets: _Facets,
    channel: Channel,
    salary: tuple[int, int],
    pay_line: int,
) -> list[_Section]:
    sections = []
    benefits_p = 0.5 if channel == "recruiter" else 0.95
    if "benefits" in company.uses and rng.random() < benefits_p:
        sections.append(_benefits_section(company, company.benefits))
    pay_p = 0.85 if facets.mode == "remote" or facets.city[1] in _PAY_STATES else 0.35
    if rng.random() < pay_p:
        sections.append(_pay_section(company, facets, salary, pay_line))
    return sections


def _benefits_section(company: _Company, items: tuple[str, ...]) -> _Section:
    heading = company.headings["benefits"]
    if company.benefits_as_list:
        return _Section("benefits", heading, bullets=items)
    template = _BENEFITS_PARAGRAPH[len(company.name) % len(_BENEFITS_PARAGRAPH)]
    lowered = [_lower_first(item) for item in items]
    return _Section("benefits", heading, (template.format(items=_join_and(lowered)),))


def _lower_first(text: str) -> str:
    if text[:2].isupper():  # acronyms and numbers-first items stay as they are
        return text
    return text[:1].lower() + text[1:]


def _pay_section(
    company: _Company, facets: _Facets, salary: tuple[int, int], pay_line: int
) -> _Section:
    low, high = salary
    text = _PAY_LINES[pay_line].format(
        lo=low, hi=high, lo_k=low // 1000, hi_k=high // 1000, state=facets.city[1]
    )
    heading = company.headings["pay"]
    return _Section("pay", heading, (text,), inline=heading is not None)


def _eeo_and_apply(rng: random.Random, company: _Company, channel: Channel) -> list[_Section]:
    sections = []
    recruiter = channel == "recruiter"
    if "eeo" in company.uses and (not recruiter or rng.random() < 0.4):
        eeo = _RECRUITER_EEO if recruiter else company.eeo
        sections.append(_Section("eeo", company.headings["eeo"], (eeo,)))
    if rng.random() < 0.6:
        apply = _pick(rng, _RECRUITER_APPLY) if recruiter else company.apply
        sections.append(_Section("apply", company.headings["apply"], (apply,)))
    return sections


def _aggregator_section(rng: random.Random, facets: _Facets) -> _Section:
    city, state, _ = facets.city
    line = _pick(rng, _AGGREGATOR_LINES).format(
        jid=rng.randint(10000, 999999),
        board=_pick(rng, _AGGREGATORS),
        date=_random_date(rng),
        title=facets.title,
        location="Remote" if facets.mode == "remote" else f"{city}, {state}",
        days=rng.randint(1, 30),
        applicants=rng.randint(3, 400),
    )
    return _Section("board", paragraphs=(line,))


def _random_date(rng: random.Random) -> str:
    year, month, day = rng.choice((2024, 2025)), rng.randint(1, 12), rng.randint(1, 28)
    if rng.random() < 0.5:
        return f"{year}-{month:02d}-{day:02d}"
    return f"{_MONTHS[month - 1]} {day}, {year}"


def _recruiter_opener(rng: random.Random, company: _Company, facets: _Facets) -> _Section:
    text = _pick(rng, _RECRUITER_OPENERS).format(
        adj=_pick(rng, _RECRUITER_ADJECTIVES),
        kind=_pick(rng, INDUSTRIES[company.industry].kinds),
        city=facets.city[0],
        a_title=_with_article(facets.title),
    )
    return _Section("recruiter", paragraphs=(text,))


# --------------------------------------------------------------------------------------------
# Reposts: the same draft with two or three small edits.
# --------------------------------------------------------------------------------------------


def _make_repost(rng: random.Random, original: _Draft) -> _Draft:
    draft = original
    for edit in rng.sample(_REPOST_EDITS, rng.randint(2, 3)):
        draft = edit(rng, draft)
    return draft


def _with_section(draft: _Draft, kind: str, change: Callable[[_Section], _Section]) -> _Draft:
    sections = tuple(change(s) if s.kind == kind else s for s in draft.sections)
    return replace(draft, sections=sections)


def _has(draft: _Draft, kind: str) -> bool:
    return any(section.kind == kind for section in draft.sections)


def _edit_drop_duty(rng: random.Random, draft: _Draft) -> _Draft:
    def drop(section: _Section) -> _Section:
        bullets = list(section.bullets)
        del bullets[rng.randrange(len(bullets))]
        return replace(section, bullets=tuple(bullets))

    return _with_section(draft, "duties", drop)


def _edit_add_note(rng: random.Random, draft: _Draft) -> _Draft:
    note = _pick(rng, _REPOST_NOTES)
    return _with_section(draft, "intro", lambda s: replace(s, paragraphs=(*s.paragraphs, note)))


def _edit_reword_duty(rng: random.Random, draft: _Draft) -> _Draft:
    role = ROLE_FAMILIES[draft.facets.family]
    duties = next(s for s in draft.sections if s.kind == "duties")
    unused = [d.format_map(draft.slots) for d in role.duties]
    unused = [d for d in unused if d not in duties.bullets]
    if not unused:
        return _edit_add_note(rng, draft)
    bullets = list(duties.bullets)
    bullets[rng.randrange(len(bullets))] = _pick(rng, unused)
    return _with_section(draft, "duties", lambda s: replace(s, bullets=tuple(bullets)))


def _edit_reorder_benefits(rng: random.Random, draft: _Draft) -> _Draft:
    benefits = next((s for s in draft.sections if s.kind == "benefits"), None)
    if benefits is None or len(benefits.bullets) < 3:
        return _edit_new_reference(rng, draft)
    shift = rng.randint(1, len(benefits.bullets) - 1)
    bullets = benefits.bullets[shift:] + benefits.bullets[:shift]
    return _with_section(draft, "benefits", lambda s: replace(s, bullets=bullets))


def _edit_new_reference(rng: random.Random, draft: _Draft) -> _Draft:
    fresh = _aggregator_section(rng, draft.facets)
    if draft.sections[0].kind == "board":
        return replace(draft, sections=(fresh, *draft.sections[1:]))
    return replace(draft, sections=(fresh, *draft.sections))


def _edit_salary(rng: random.Random, draft: _Draft) -> _Draft:
    if not _has(draft, "pay"):
        return _edit_add_note(rng, draft)
    bump = rng.choice((-10000, -5000, 5000, 10000, 15000))
    salary = (draft.salary[0] + bump, draft.salary[1] + bump)
    text = _PAY_LINES[draft.pay_line].format(
        lo=salary[0],
        hi=salary[1],
        lo_k=salary[0] // 1000,
        hi_k=salary[1] // 1000,
        state=draft.facets.city[1],
    )
    draft = replace(draft, salary=salary)
    return _with_section(draft, "pay", lambda s: replace(s, paragraphs=(text,)))


_REPOST_EDITS: tuple[Callable[[random.Random, _Draft], _Draft], ...] = (
    _edit_drop_duty,
    _edit_add_note,
    _edit_reword_duty,
    _edit_reorder_benefits,
    _edit_new_reference,
    _edit_salary,
)


# --------------------------------------------------------------------------------------------
# Rendering: HTML, markdown-ish or plain text, then a little unicode and whitespace noise.
# --------------------------------------------------------------------------------------------

_HTML_HEADINGS = ("<p><strong>{}</strong></p>", "<h3>{}</h3>", "<b>{}</b><br>")
_MARKDOWN_HEADINGS = ("**{}**", "### {}", "{}:")
_PLAIN_HEADINGS = ("{}:", "{}", "{}")


def _render(draft: _Draft) -> str:
    renderers = {"html": _render_html, "markdown": _render_markdown, "plain": _render_plain}
    text = renderers[draft.style.fmt](draft.sections, draft.style)
    return _add_noise(random.Random(draft.noise_seed), text, draft.style.fmt)


def _render_html(sections: Sequence[_Section], style: _Style) -> str:
    def esc(text: str) -> str:
        return html.escape(text, quote=False).replace("'", style.apostrophe)

    blocks = []
    for section in sections:
        if section.inline and section.heading:
            body = esc(" ".join(section.paragraphs))
            blocks.append(f"<p><strong>{esc(section.heading)}:</strong> {body}</p>")
            continue
        if section.heading:
            blocks.append(_HTML_HEADINGS[style.heading].format(esc(section.heading)))
        if section.paragraphs:
            if style.compact:
                blocks.append("<p>" + "<br>".join(esc(p) for p in section.paragraphs) + "</p>")
            else:
                blocks += [f"<p>{esc(p)}</p>" for p in section.paragraphs]
        if section.bullets:
            joiner = "" if style.compact else "\n"
            items = joiner.join(f"<li>{esc(b)}</li>" for b in section.bullets)
            blocks.append(f"<ul>{joiner}{items}{joiner}</ul>")
    return ("" if style.compact else "\n").join(blocks)


def _render_markdown(sections: Sequence[_Section], style: _Style) -> str:
    blocks = []
    for section in sections:
        if section.inline and section.heading:
            blocks.append(f"**{section.heading}:** " + " ".join(section.paragraphs))
            continue
        lines = []
        if section.heading:
            lines.append(_MARKDOWN_HEADINGS[style.heading].format(section.heading))
        lines += list(section.paragraphs)
        lines += [style.marker + bullet for bullet in section.bullets]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _render_plain(sections: Sequence[_Section], style: _Style) -> str:
    blocks = []
    for section in sections:
        if section.inline and section.heading:
            blocks.append(f"{section.heading}: " + " ".join(section.paragraphs))
            continue
        lines = []
        if section.heading:
            heading = _PLAIN_HEADINGS[style.heading].format(section.heading)
            lines.append(heading.upper() if style.heading == 2 else heading)
        lines += list(section.paragraphs)
        if style.compact and section.bullets:
            lines.append(" ".join(bullet.rstrip(".") + "." for bullet in section.bullets))
        else:
            lines += list(section.bullets)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _add_noise(rng: random.Random, text: str, fmt: TextFormat) -> str:
    """Curly quotes, non-breaking and zero-width spaces, ragged whitespace: scraped-text noise."""
    if rng.random() < 0.3:
        text = re.sub(r'"([^"<>]*)"', "\u201c\\1\u201d", text.replace("'", "\u2019"))
    if rng.random() < 0.25:
        nbsp = "&nbsp;" if fmt == "html" and rng.random() < 0.5 else "\u00a0"
        text = _sometimes(rng, text, r" ", nbsp, 0.04)
    if rng.random() < 0.12:
        text = _sometimes(rng, text, r" (?=\w)", " \u200b", 0.02)
    if rng.random() < 0.3:
        text = _sometimes(rng, text, r"\. ", ".  ", 0.3)
        text = _sometimes(rng, text, r"\n", "  \n\n", 0.2)
        text = "\n " + text + " \n"
    if rng.random() < 0.06:
        text = text.replace("\n", "\r\n")
    return text


def _sometimes(rng: random.Random, text: str, pattern: str, new: str, p: float) -> str:
    """Replace each match of `pattern` with `new` with probability `p`."""
    return re.sub(pattern, lambda m: new if rng.random() < p else m.group(0), text)


# --------------------------------------------------------------------------------------------
# Gold queries.
# --------------------------------------------------------------------------------------------


def _query_records(rng: random.Random, facets: _Facets, posting_id: str) -> list[dict[str, str]]:
    number = posting_id.removeprefix("demo-")
    texts = _make_queries(rng, facets, 1 if rng.random() < 0.5 else 2)
    return [
        {"query_id": f"q-{number}-{k}", "query": text, "posting_id": posting_id}
        for k, text in enumerate(texts, start=1)
    ]


def _make_queries(rng: random.Random, facets: _Facets, count: int) -> list[str]:
    queries: list[str] = []
    for template in rng.sample(_QUERY_TEMPLATES, len(_QUERY_TEMPLATES)):
        query = _fill_query(rng, template, facets)
        too_long = len(query.split()) > _MAX_QUERY_WORDS
        if not too_long and query.lower() not in {q.lower() for q in queries}:
            queries.append(query)
        if len(queries) == count:
            break
    return queries


def _fill_query(rng: random.Random, template: str, facets: _Facets) -> str:
    """One search-box query: facets with synonyms, mostly lowercase, no punctuation to speak of.

    For a senior ML engineer posting in fintech with PyTorch, "{sen} {role} {skill} {industry}
    {where}" may give "sr mle torch credit risk remote".
    """
    role = ROLE_FAMILIES[facets.family]
    skill, skill2 = rng.sample(facets.skills, 2)
    city_alias = _pick(rng, facets.city[2])
    years_options = _JUNIOR_YEARS_QUERY if facets.seniority == "junior" else _YEARS_QUERY
    slots = {
        "role": _pick(rng, role.aliases),
        "sen": _pick(rng, _SENIORITY_QUERY[facets.seniority]),
        "years": _pick(rng, years_options).format(y=facets.years),
        "skill": _skill_surface(rng, skill, 0.5),
        "skill2": _skill_surface(rng, skill2, 0.5),
        "industry": _pick(rng, INDUSTRIES[facets.industry].aliases),
        "where": _pick(rng, _WHERE_QUERY[facets.mode]).format(city=city_alias),
    }
    query = " ".join(template.format_map(slots).split())
    query = re.sub(r"\s+,", ",", query).strip(" ,")
    return query.lower() if rng.random() < 0.8 else query
