from autolabel.models import Job


def job_data(job: Job) -> dict:
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "progress": round(job.progress, 1),
        "metrics": job.metrics,
        "result": job.result,
        "error": job.error or None,
        "project": job.project_id,
        "file": job.file_id,
        "model": job.model_id,
        "params": job.params,
        "cancel_requested": job.cancel_requested,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }
