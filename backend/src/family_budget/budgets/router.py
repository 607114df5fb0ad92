from fastapi import APIRouter

router = APIRouter(prefix="/budgets", tags=["budgets"])
