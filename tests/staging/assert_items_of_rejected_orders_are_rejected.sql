{#- The cascade of spec section 2: an item whose order was rejected is never staged. -#}
select
    order_items.order_item_id,
    order_items.order_id
from {{ ref('stg_shop__order_items') }} as order_items
inner join {{ ref('rejected_rows') }} as rejected_orders
    on
        rejected_orders.source_table = 'orders'
        and order_items.order_id = rejected_orders.source_key
left join {{ ref('stg_shop__orders') }} as orders
    on order_items.order_id = orders.order_id
where orders.order_id is null
